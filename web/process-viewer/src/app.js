// The page's controller: speaks protocol v1 over a LiveConnection, keeps one imported definition,
// applies cursors in order and maintains the test hooks on <body data-…> (see README.md).

import { LiveConnection } from './connection.js';
import { SeqGate } from './cursor.js';
import { PROTOCOL_VERSION, errorText, subscribe } from './protocol.js';

export class App {
  /**
   * @param {{businessKey: string, body: HTMLElement, status: import('./status.js').StatusBar,
   *          diagram: import('./diagram.js').DiagramView, url: string}} opts
   */
  constructor({ businessKey, body, status, diagram, url }) {
    this.businessKey = businessKey;
    this.body = body;
    this.status = status;
    this.diagram = diagram;
    this.seq = new SeqGate();
    /** definition id currently drawn, or null */
    this.importedDefinitionId = null;
    /** definition id whose XML could not be drawn (not retried until another one arrives) */
    this.failedDefinitionId = null;
    /** @type {object | null} newest schema message not yet imported */
    this.pendingSchema = null;
    this.importing = false;
    /** @type {object | null} newest accepted cursor */
    this.latestCursor = null;
    this.errorCode = null;
    this.connection = new LiveConnection(url, {
      onMessage: (msg) => this.onMessage(msg),
      onStatus: (s) => this.onConnectionStatus(s),
    });
  }

  start() {
    this.body.dataset.connection = 'closed';
    if (!this.businessKey) {
      this.showError({ code: 'bad_request', message: 'the page has no business key' });
      return;
    }
    this.connection.start();
  }

  /** @param {import('./connection.js').ConnectionStatus} s */
  onConnectionStatus(s) {
    this.body.dataset.connection = s.phase === 'open' ? 'open' : 'closed';
    const detail =
      s.phase === 'waiting' ? `next attempt in ${Math.round((s.retryInMs ?? 0) / 100) / 10} s` : '';
    this.status.setConnection(s.phase, detail);
  }

  onMessage(msg) {
    if (msg.type === 'hello') return this.onHello(msg);
    if (msg.businessKey !== undefined && msg.businessKey !== this.businessKey) return undefined;
    switch (msg.type) {
      case 'schema':
        return this.onSchema(msg);
      case 'cursor':
        return this.onCursor(msg);
      case 'error':
        return this.showError(msg);
      default:
        console.warn(`carpetti: ignoring message type ${msg.type}`);
        return undefined;
    }
  }

  onHello(msg) {
    this.connection.markHealthy();
    if (msg.protocol !== PROTOCOL_VERSION) {
      console.warn(`carpetti: adapter speaks protocol ${msg.protocol}, this page ${PROTOCOL_VERSION}`);
    }
    this.connection.send(subscribe(this.businessKey));
  }

  onSchema(msg) {
    this.clearError();
    if (!this.latestCursor) this.status.setState(null);
    if (typeof msg.xml !== 'string' || !msg.definitionId) {
      this.showError({ code: 'bad_request', message: 'schema message without xml or definitionId' });
      return;
    }
    this.pendingSchema = msg;
    void this.pump();
  }

  onCursor(msg) {
    if (!this.seq.accept(msg.definitionId, msg.seq)) return;
    if (this.errorCode === 'engine_unavailable') this.clearError();
    this.latestCursor = msg;
    if (typeof msg.state === 'string') {
      this.body.dataset.state = msg.state;
      this.status.setState(msg.state);
    }
    this.applyLatest();
  }

  /** Imports pending schemas one at a time, then draws the newest cursor. */
  async pump() {
    if (this.importing) return;
    this.importing = true;
    try {
      while (this.pendingSchema) {
        const schema = this.pendingSchema;
        this.pendingSchema = null;
        const id = String(schema.definitionId);
        if (id === this.importedDefinitionId || id === this.failedDefinitionId) continue;
        try {
          const warnings = await this.diagram.show(schema.xml);
          if (warnings.length) console.warn('carpetti: diagram import warnings', warnings);
          this.importedDefinitionId = id;
          this.failedDefinitionId = null;
          this.body.dataset.definitionId = id;
          this.body.dataset.ready = 'true';
        } catch (err) {
          console.error('carpetti: cannot import diagram', err);
          this.importedDefinitionId = null;
          this.failedDefinitionId = id;
          this.showError({ code: 'import_failed', message: err instanceof Error ? err.message : String(err) });
        }
      }
    } finally {
      this.importing = false;
    }
    this.applyLatest();
  }

  /** Draws the newest cursor when its definition is the one on screen. */
  applyLatest() {
    const c = this.latestCursor;
    if (!c || this.importing || String(c.definitionId) !== this.importedDefinitionId) return;
    const missing = this.diagram.apply(c);
    this.status.setNote(
      missing.length ? `Not in this diagram: ${missing.join(', ')}` : null,
    );
    this.status.setUpdated(c.observedAt);
    if (Number.isFinite(c.seq)) this.body.dataset.seq = String(c.seq);
  }

  showError(err) {
    this.errorCode = err.code ?? 'unknown';
    this.body.dataset.error = this.errorCode;
    this.status.setError(errorText(err, this.businessKey));
    if (this.errorCode === 'unknown_business_key' && !this.latestCursor) this.status.setNotFound();
  }

  clearError() {
    this.errorCode = null;
    delete this.body.dataset.error;
    this.status.setError(null);
  }
}
