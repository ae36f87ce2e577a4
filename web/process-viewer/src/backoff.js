// Reconnect delays: exponential with "equal jitter", between 1 s and 15 s. Pure.

export const BACKOFF_MIN_MS = 1000;
export const BACKOFF_MAX_MS = 15000;

/**
 * Delay before reconnect attempt number `attempt` (0 for the first retry after a drop).
 * The ceiling doubles per attempt (2 s, 4 s, 8 s, 15 s, 15 s, …); the delay is drawn uniformly from
 * the upper half of it, so it never goes below 1 s nor above 15 s and clients spread out after a
 * server restart.
 * @param {number} attempt
 * @param {() => number} [random] returns a number in [0, 1)
 */
export function backoffDelay(attempt, random = Math.random) {
  const n = Math.max(0, Math.min(30, Math.floor(attempt)));
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (n + 1));
  const delay = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, delay)));
}
