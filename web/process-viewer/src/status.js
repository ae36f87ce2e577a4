// The status bar at the top of the page: business key, instance state, connection, last update,
// and errors in words. Only text content is written, never HTML.

import { stateLabel, stateTitle } from './protocol.js';

function span(cls) {
  const el = document.createElement('span');
  el.className = `carpetti-status__${cls}`;
  return el;
}

export class StatusBar {
  /**
   * @param {HTMLElement} root the <header> to fill
   * @param {string} businessKey
   */
  constructor(root, businessKey) {
    this.root = root;
    root.textContent = '';
    const title = span('title');
    title.textContent = 'Process';
    this.key = span('key');
    this.key.textContent = businessKey || '(no business key)';
    this.state = span('state');
    this.connection = span('connection');
    this.updated = span('updated');
    this.note = span('note');
    this.error = span('error');
    this.error.setAttribute('role', 'alert');
    root.append(title, this.key, this.state, this.connection, this.updated, this.note, this.error);
    this.setState(null);
    this.setConnection('connecting', '');
    this.setError(null);
    this.setNote(null);
  }

  /** @param {string | null} state a cursor state, or null before the first cursor */
  setState(state) {
    if (state == null) {
      this.state.textContent = 'Waiting for the process…';
      this.state.dataset.state = 'UNKNOWN';
      this.state.title = '';
      return;
    }
    this.state.textContent = stateLabel(state);
    this.state.dataset.state = state;
    this.state.title = stateTitle(state);
  }

  /** The adapter does not know the business key (and no cursor was seen). */
  setNotFound() {
    this.state.textContent = 'Not found';
    this.state.dataset.state = 'NOT_FOUND';
    this.state.title = 'The adapter knows no process instance with this business key';
  }

  /**
   * @param {'connecting' | 'open' | 'waiting'} phase
   * @param {string} detail tooltip
   */
  setConnection(phase, detail) {
    const words = { connecting: 'connecting…', open: 'connected', waiting: 'reconnecting…' };
    this.connection.textContent = words[phase];
    this.connection.dataset.phase = phase;
    this.connection.title = detail;
  }

  /** @param {number | undefined} observedAt epoch milliseconds */
  setUpdated(observedAt) {
    if (!Number.isFinite(observedAt)) {
      this.updated.textContent = '';
      return;
    }
    const at = new Date(/** @type {number} */ (observedAt));
    this.updated.textContent = `as of ${at.toLocaleTimeString()}`;
    this.updated.title = at.toISOString();
  }

  /** @param {string | null} text */
  setError(text) {
    this.error.textContent = text ?? '';
    this.error.hidden = !text;
  }

  /** @param {string | null} text a lesser remark (e.g. tokens the diagram cannot show) */
  setNote(text) {
    this.note.textContent = text ?? '';
    this.note.hidden = !text;
  }
}
