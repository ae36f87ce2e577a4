// Turns a `cursor` message into the decorations the diagram should show, and gates stale cursors.
// Pure: no DOM, no bpmn-js, so it is unit-tested under node (tests/unit/).

const MI_BODY_SUFFIX = '#multiInstanceBody';

/** Strips the engine's multi-instance body suffix, in case the adapter leaves it on. */
export function baseActivityId(id) {
  const s = String(id);
  return s.endsWith(MI_BODY_SUFFIX) ? s.slice(0, -MI_BODY_SUFFIX.length) : s;
}

const nonNegative = (v) => (Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

/**
 * @typedef {{count: number, waiting: number}} Tokens
 * @typedef {{count: number, messages: string[]}} Incidents
 * @typedef {{active: Map<string, Tokens>, incidents: Map<string, Incidents>, multi: Map<string, number>}} Plan
 */

/**
 * What to draw for one cursor. Duplicate entries for one activity are added up; an ended
 * instance draws nothing.
 * @param {object} cursor a `cursor` message
 * @returns {Plan}
 */
export function planCursor(cursor) {
  /** @type {Plan} */
  const plan = { active: new Map(), incidents: new Map(), multi: new Map() };
  if (!cursor || cursor.ended) return plan;

  for (const a of Array.isArray(cursor.activities) ? cursor.activities : []) {
    if (!a || a.activityId == null) continue;
    const id = baseActivityId(a.activityId);
    const count = nonNegative(a.count);
    if (count === 0) continue;
    const prev = plan.active.get(id) ?? { count: 0, waiting: 0 };
    prev.count += count;
    prev.waiting += Math.min(count, nonNegative(a.waiting));
    plan.active.set(id, prev);
  }

  for (const m of Array.isArray(cursor.multiInstance) ? cursor.multiInstance : []) {
    if (!m || m.activityId == null) continue;
    const id = baseActivityId(m.activityId);
    const n = nonNegative(m.instances);
    if (n > 0) plan.multi.set(id, (plan.multi.get(id) ?? 0) + n);
  }

  for (const i of Array.isArray(cursor.incidents) ? cursor.incidents : []) {
    if (!i || i.activityId == null) continue;
    const id = baseActivityId(i.activityId);
    const prev = plan.incidents.get(id) ?? { count: 0, messages: [] };
    prev.count += 1;
    const text = [i.type, i.message].filter((s) => typeof s === 'string' && s !== '').join(': ');
    prev.messages.push(text || 'incident');
    plan.incidents.set(id, prev);
  }
  return plan;
}

/**
 * Drops cursors whose `seq` is lower than the last one accepted for the same definition
 * (a stale frame, e.g. from another adapter instance after a reconnect). Equal seq is accepted:
 * applying the same cursor twice is harmless.
 */
export class SeqGate {
  constructor() {
    /** @type {Map<string, number>} */
    this.last = new Map();
  }

  /** @returns {boolean} true when the cursor should be applied */
  accept(definitionId, seq) {
    if (!Number.isFinite(seq)) return true;
    const key = String(definitionId ?? '');
    const last = this.last.get(key);
    if (last !== undefined && seq < last) return false;
    this.last.set(key, seq);
    return true;
  }
}

/** Tooltip text for a token-count badge. */
export function countTitle({ count, waiting }) {
  const tokens = `${count} token${count === 1 ? '' : 's'} here`;
  return waiting > 0 ? `${tokens}, ${waiting} waiting (asynchronous continuation)` : tokens;
}
