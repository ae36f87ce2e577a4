// One WebSocket to the adapter that reconnects by itself with backoff (src/backoff.js).
// It knows nothing of the protocol's messages beyond JSON framing; the app reacts to them.

import { backoffDelay } from './backoff.js';
import { parseMessage } from './protocol.js';

/**
 * @typedef {'connecting' | 'open' | 'waiting'} Phase
 * @typedef {{phase: Phase, retryInMs?: number, attempt: number}} ConnectionStatus
 */

export class LiveConnection {
  /**
   * @param {string} url
   * @param {{onMessage: (msg: object) => void, onStatus: (s: ConnectionStatus) => void}} handlers
   */
  constructor(url, { onMessage, onStatus }) {
    this.url = url;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    /** @type {WebSocket | null} */
    this.socket = null;
    this.attempt = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
  }

  /** WebSocket URL of `/ws` on the page's own host. */
  static urlFor(location) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws`;
  }

  start() {
    window.addEventListener('online', () => this.retryNow());
    this.connect();
  }

  /** Skips the remaining backoff wait (for example when the browser comes back online). */
  retryNow() {
    if (this.socket || this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  /** The connection works (the server said hello): later drops start the backoff from 1 s again. */
  markHealthy() {
    this.attempt = 0;
  }

  /** Sends a JSON message; returns false when the socket is not open. */
  send(msg) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(msg));
    return true;
  }

  connect() {
    this.timer = null;
    this.onStatus({ phase: 'connecting', attempt: this.attempt });
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (err) {
      console.warn('carpetti: cannot open WebSocket', err);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (this.socket === socket) this.onStatus({ phase: 'open', attempt: this.attempt });
    });
    socket.addEventListener('message', (ev) => {
      if (this.socket !== socket) return;
      const msg = parseMessage(ev.data);
      if (msg) this.onMessage(msg);
      else console.warn('carpetti: ignoring a frame that is not a protocol message');
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    });
    // 'error' is always followed by 'close', which does the work.
  }

  scheduleReconnect() {
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.onStatus({ phase: 'waiting', retryInMs: delay, attempt: this.attempt });
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
