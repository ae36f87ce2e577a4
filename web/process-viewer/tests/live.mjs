#!/usr/bin/env node
// Browser test driver for the live process diagram page (Debian Chromium via playwright-core).
//
//   node tests/live.mjs <pageUrl> <firstActivityId> <secondActivityId> [screenshotPath]
//
// Opens the page, waits (<= 20 s) until the diagram is imported and <first> is highlighted with
// its count badge, prints "AT <first>" on stdout, then waits (<= 30 s) until the highlight has
// moved to <second> (the caller moves the process when it reads "AT <first>"), prints
// "AT <second>", optionally takes a screenshot, checks that there were no page errors and no
// request to anything but loopback, prints "OK" and exits 0. Any failure: "FAIL <reason>" on
// stderr, exit 1. Chromium: $CHROMIUM or /usr/bin/chromium.

import { chromium } from 'playwright-core';

const FIRST_TIMEOUT_MS = 20_000;
const SECOND_TIMEOUT_MS = 30_000;
const HARD_LIMIT_MS = 120_000;
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

class Failure extends Error {}

/** True for URLs that stay on this machine (or never touch the network). */
function isLoopback(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:'].includes(u.protocol)) return true;
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return false;
  const host = u.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function say(line) {
  return new Promise((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
}

function fail(reason) {
  process.stderr.write(`FAIL ${String(reason).replace(/\s+/g, ' ').trim()}\n`, () => process.exit(1));
  setTimeout(() => process.exit(1), 2000).unref();
}

const selectorFor = (id) => `g.djs-element[data-element-id="${id.replace(/["\\]/g, '\\$&')}"]`;

async function main() {
  const [pageUrl, first, second, screenshot] = process.argv.slice(2);
  if (!pageUrl || !first || !second) {
    throw new Failure('usage: node tests/live.mjs <pageUrl> <firstActivityId> <secondActivityId> [screenshotPath]');
  }
  if (!isLoopback(pageUrl)) throw new Failure(`page URL is not loopback: ${pageUrl}`);

  const external = [];
  const pageErrors = [];
  const consoleErrors = [];
  const noteUrl = (url) => {
    if (!isLoopback(url)) external.push(url);
  };
  const diagnostics = () => {
    const parts = [];
    if (pageErrors.length) parts.push(`page errors: ${pageErrors.join(' | ')}`);
    if (consoleErrors.length) parts.push(`console errors: ${consoleErrors.slice(0, 5).join(' | ')}`);
    if (external.length) parts.push(`non-loopback requests: ${external.join(', ')}`);
    return parts.length ? ` (${parts.join('; ')})` : '';
  };

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
    headless: true,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, serviceWorkers: 'block' });
    context.on('request', (req) => noteUrl(req.url()));
    const page = await context.newPage();
    page.on('websocket', (ws) => noteUrl(ws.url()));
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });

    const deadline1 = Date.now() + FIRST_TIMEOUT_MS;
    const left = (deadline) => Math.max(1, deadline - Date.now());
    await page.goto(pageUrl, { waitUntil: 'domcontentloaded', timeout: FIRST_TIMEOUT_MS });

    await page
      .waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: left(deadline1) })
      .catch(async () => {
        const hooks = await page.evaluate(() => ({ ...document.body.dataset })).catch(() => ({}));
        throw new Failure(`diagram not imported within ${FIRST_TIMEOUT_MS / 1000} s, hooks ${JSON.stringify(hooks)}${diagnostics()}`);
      });
    await page
      .waitForSelector(`${selectorFor(first)}.carpetti-active`, { state: 'attached', timeout: left(deadline1) })
      .catch(async () => {
        const exists = await page.locator(selectorFor(first)).count();
        throw new Failure(
          exists
            ? `${first} not highlighted within ${FIRST_TIMEOUT_MS / 1000} s${diagnostics()}`
            : `${first} is not an element of the diagram${diagnostics()}`,
        );
      });
    const badges = await page
      .locator(`.djs-overlays[data-container-id="${first.replace(/["\\]/g, "\\$&")}"] .djs-overlay-carpetti-count`)
      .count();
    if (badges !== 1) throw new Failure(`expected 1 count badge on ${first}, found ${badges}`);
    await say(`AT ${first}`);

    const moved = await page
      .waitForFunction(
        ([a, b]) => {
          const el = (id) => document.querySelector(`g.djs-element[data-element-id="${CSS.escape(id)}"]`);
          const on = (id) => el(id)?.classList.contains('carpetti-active') ?? false;
          return on(b) && !on(a);
        },
        [first, second],
        { timeout: SECOND_TIMEOUT_MS, polling: 100 },
      )
      .then(() => true)
      .catch(() => false);
    if (!moved) {
      throw new Failure(`highlight did not move from ${first} to ${second} within ${SECOND_TIMEOUT_MS / 1000} s${diagnostics()}`);
    }
    await say(`AT ${second}`);

    if (screenshot) await page.screenshot({ path: screenshot });
    if (pageErrors.length) throw new Failure(`page errors: ${pageErrors.join(' | ')}`);
    const blocked = consoleErrors.filter((t) => /Content Security Policy/i.test(t));
    if (blocked.length) throw new Failure(`content security policy violations: ${blocked.join(' | ')}`);
    if (external.length) throw new Failure(`non-loopback requests: ${external.join(', ')}`);
    await say('OK');
  } finally {
    await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 5000))]);
  }
}

const watchdog = setTimeout(() => fail(`gave up after ${HARD_LIMIT_MS / 1000} s`), HARD_LIMIT_MS);
main()
  .then(() => {
    clearTimeout(watchdog);
    process.exit(0);
  })
  .catch((err) => {
    clearTimeout(watchdog);
    fail(err instanceof Failure ? err.message : err?.stack || err);
  });
