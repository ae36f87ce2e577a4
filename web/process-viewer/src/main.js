// Entry point of the live process diagram page (GET /processes/{businessKey} on the process
// adapter): builds the status bar and the bpmn-js viewer and connects to the adapter's /ws.

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './viewer.css';

import { App } from './app.js';
import { LiveConnection } from './connection.js';
import { DiagramView } from './diagram.js';
import { StatusBar } from './status.js';

function boot() {
  const body = document.body;
  const businessKey = body.dataset.businessKey ?? '';

  let header = document.getElementById('carpetti-status');
  if (!header) {
    header = document.createElement('header');
    header.id = 'carpetti-status';
    body.prepend(header);
  }
  header.classList.add('carpetti-status');

  let canvas = document.getElementById('carpetti-canvas');
  if (!canvas) {
    canvas = document.createElement('main');
    canvas.id = 'carpetti-canvas';
    body.append(canvas);
  }
  canvas.classList.add('carpetti-canvas');

  const status = new StatusBar(header, businessKey);
  const diagram = new DiagramView(canvas);
  const app = new App({
    businessKey,
    body,
    status,
    diagram,
    url: LiveConnection.urlFor(window.location),
  });

  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => diagram.resized(), 150);
  });

  app.start();
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', boot, { once: true });
} else {
  boot();
}
