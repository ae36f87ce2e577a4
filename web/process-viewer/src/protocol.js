// Wire protocol v1 of the process adapter's WebSocket (see services/process_adapter/README.md)
// and the words the page shows for its states and error codes. Pure: no DOM, no bpmn-js.

export const PROTOCOL_VERSION = 1;

/** Instance states the adapter sends in `cursor.state`. */
const STATE_LABELS = {
  ACTIVE: 'Running',
  SUSPENDED: 'Suspended',
  COMPLETED: 'Completed',
  EXTERNALLY_TERMINATED: 'Terminated',
  INTERNALLY_TERMINATED: 'Terminated',
};

/** Longer explanation for the state's tooltip. */
const STATE_TITLES = {
  ACTIVE: 'The process instance is running',
  SUSPENDED: 'The process instance is suspended',
  COMPLETED: 'The process instance has completed',
  EXTERNALLY_TERMINATED: 'The process instance was cancelled from outside',
  INTERNALLY_TERMINATED: 'The process instance ended at a terminate end event',
};

/** @param {string} state */
export function stateLabel(state) {
  return STATE_LABELS[state] ?? (state ? String(state) : 'Unknown');
}

/** @param {string} state */
export function stateTitle(state) {
  return STATE_TITLES[state] ?? `State ${state}`;
}

/**
 * Human-readable text for an `error` message.
 * @param {{code?: string, message?: string, businessKey?: string}} err
 * @param {string} businessKey the page's key, used when the error does not carry one
 */
export function errorText(err, businessKey) {
  const key = err.businessKey ?? businessKey;
  switch (err.code) {
    case 'unknown_business_key':
      return `No process with business key ${key}`;
    case 'engine_unavailable':
      return 'The process engine is unavailable; waiting for it to come back';
    case 'bad_request':
      return `The adapter rejected a request${err.message ? `: ${err.message}` : ''}`;
    case 'import_failed':
      return `Could not draw the process diagram${err.message ? `: ${err.message}` : ''}`;
    default:
      return err.message ? `Error (${err.code ?? 'unknown'}): ${err.message}` : `Error: ${err.code ?? 'unknown'}`;
  }
}

/**
 * Parses one text frame. Returns null for anything that is not a JSON object with a string `type`.
 * @param {unknown} data
 */
export function parseMessage(data) {
  if (typeof data !== 'string') return null;
  let msg;
  try {
    msg = JSON.parse(data);
  } catch {
    return null;
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || typeof msg.type !== 'string') {
    return null;
  }
  return msg;
}

export const subscribe = (businessKey) => ({ type: 'subscribe', businessKey });
export const unsubscribe = (businessKey) => ({ type: 'unsubscribe', businessKey });
