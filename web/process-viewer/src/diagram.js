// The bpmn-js NavigatedViewer: imports a definition's XML and draws a cursor onto it as markers
// (CSS classes on the element's SVG group) and overlays (HTML badges), changing only what differs
// from the previous cursor.

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import { countTitle, planCursor } from './cursor.js';

export const ACTIVE_MARKER = 'carpetti-active';
export const INCIDENT_MARKER = 'carpetti-incident';
export const COUNT_OVERLAY = 'carpetti-count';
export const INCIDENT_OVERLAY = 'carpetti-incidents';
export const MI_OVERLAY = 'carpetti-mi';

const SCALE = { min: 1 };
const POSITIONS = {
  [COUNT_OVERLAY]: { bottom: 12, left: -10 },
  [MI_OVERLAY]: { bottom: 12, right: 26 },
  [INCIDENT_OVERLAY]: { top: -10, right: 14 },
};

export class DiagramView {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.viewer = new NavigatedViewer({ container });
    this.canvas = this.viewer.get('canvas');
    this.overlays = this.viewer.get('overlays');
    this.registry = this.viewer.get('elementRegistry');
    this.resetDecorations();
  }

  /** Forgets what is drawn (importXML already wiped it from the canvas). */
  resetDecorations() {
    /** @type {Map<string, Set<string>>} marker class → element ids carrying it */
    this.markers = new Map([[ACTIVE_MARKER, new Set()], [INCIDENT_MARKER, new Set()]]);
    /** @type {Map<string, {overlayId: string, el: HTMLElement}>} badge key → its overlay */
    this.badges = new Map();
  }

  /**
   * Replaces the diagram. Resolves with the import warnings; rejects when the XML cannot be shown.
   * @param {string} xml
   */
  async show(xml) {
    this.resetDecorations();
    const { warnings } = await this.viewer.importXML(xml);
    this.canvas.zoom('fit-viewport', 'auto');
    return warnings ?? [];
  }

  /** Tells the canvas that its container changed size (keeps the user's zoom and pan). */
  resized() {
    this.canvas.resized();
  }

  /**
   * Draws a cursor. Activities that are not in the diagram are skipped and returned.
   * @param {object} cursor a `cursor` message for the imported definition
   * @returns {string[]} ids of activities with tokens or incidents that the diagram does not have
   */
  apply(cursor) {
    const plan = planCursor(cursor);
    const missing = new Set();
    const known = (id) => {
      if (this.registry.get(id)) return true;
      missing.add(id);
      return false;
    };

    const active = [...plan.active.keys()].filter(known);
    const incident = [...plan.incidents.keys()].filter(known);
    const multi = [...plan.multi.keys()].filter(known);

    this.syncMarker(ACTIVE_MARKER, active);
    this.syncMarker(INCIDENT_MARKER, incident);

    /** @type {Map<string, {type: string, id: string, text: string, title: string, extra?: string}>} */
    const wanted = new Map();
    const want = (b) => wanted.set(`${b.type}\u0000${b.id}`, b);
    for (const id of active) {
      const tokens = /** @type {import('./cursor.js').Tokens} */ (plan.active.get(id));
      want({
        type: COUNT_OVERLAY,
        id,
        text: String(tokens.count),
        title: countTitle(tokens),
        extra: tokens.waiting > 0 ? 'carpetti-badge--waiting' : '',
      });
    }
    for (const id of multi) {
      const n = /** @type {number} */ (plan.multi.get(id));
      want({ type: MI_OVERLAY, id, text: `\u00d7${n}`, title: `${n} multi-instance instance${n === 1 ? '' : 's'}` });
    }
    for (const id of incident) {
      const inc = /** @type {import('./cursor.js').Incidents} */ (plan.incidents.get(id));
      want({ type: INCIDENT_OVERLAY, id, text: String(inc.count), title: inc.messages.join('\n') });
    }
    this.syncBadges(wanted);
    return [...missing];
  }

  /** Removes every cursor decoration. */
  clear() {
    this.syncMarker(ACTIVE_MARKER, []);
    this.syncMarker(INCIDENT_MARKER, []);
    this.syncBadges(new Map());
  }

  /** @param {string} cls @param {string[]} ids */
  syncMarker(cls, ids) {
    const current = /** @type {Set<string>} */ (this.markers.get(cls));
    const next = new Set(ids);
    for (const id of current) {
      if (!next.has(id)) {
        if (this.registry.get(id)) this.canvas.removeMarker(id, cls);
        current.delete(id);
      }
    }
    for (const id of next) {
      if (!current.has(id)) {
        this.canvas.addMarker(id, cls);
        current.add(id);
      }
    }
  }

  /** @param {Map<string, {type: string, id: string, text: string, title: string, extra?: string}>} wanted */
  syncBadges(wanted) {
    for (const [key, badge] of this.badges) {
      if (!wanted.has(key)) {
        this.overlays.remove(badge.overlayId);
        this.badges.delete(key);
      }
    }
    for (const [key, b] of wanted) {
      const have = this.badges.get(key);
      const className = `carpetti-badge carpetti-badge--${b.type.slice('carpetti-'.length)}${b.extra ? ` ${b.extra}` : ''}`;
      if (have) {
        if (have.el.textContent !== b.text) have.el.textContent = b.text;
        if (have.el.title !== b.title) have.el.title = b.title;
        if (have.el.className !== className) have.el.className = className;
        continue;
      }
      const el = document.createElement('div');
      el.className = className;
      el.textContent = b.text;
      el.title = b.title;
      const overlayId = this.overlays.add(b.id, b.type, { position: POSITIONS[b.type], html: el, scale: SCALE });
      this.badges.set(key, { overlayId, el });
    }
  }
}
