// Builds dist/process-viewer.js and dist/process-viewer.css with esbuild (deterministic: same
// sources and lockfile give byte-identical files). The JS starts with the licence texts of every
// npm package bundled into it; the bpmn.io licence also requires the watermark that bpmn-js draws
// in the canvas' bottom-right corner to stay visible.

import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  charset: 'ascii',
  legalComments: 'eof',
  sourcemap: false,
  outfile: 'dist/process-viewer.js',
  write: false,
  metafile: true,
  logLevel: 'warning',
});

/** npm packages whose files ended up in the bundle, sorted. */
function bundledPackages(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = input.match(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}

async function licenceText(pkg) {
  const dir = path.join(root, 'node_modules', pkg);
  const meta = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  const file = (await readdir(dir)).sort().find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  if (!file) throw new Error(`no licence file in ${pkg}: refusing to bundle it without one`);
  const text = (await readFile(path.join(dir, file), 'utf8')).replace(/\r\n/g, '\n').trim();
  return `${pkg}@${meta.version} (${meta.license ?? 'see below'})\n\n${text}`;
}

const packages = bundledPackages(result.metafile);
const texts = await Promise.all(packages.map(licenceText));
const comment = (s) => `/*!\n${s.replace(/\*\//g, '* /')}\n*/\n`;
const jsBanner = comment(
  'Carpetti process viewer. Bundles the npm packages below under their licences.\n' +
    'bpmn-js: the bpmn.io watermark it renders must stay visible.\n\n' +
    texts.join('\n\n----------------------------------------\n\n'),
);
const cssBanner = comment(
  'Carpetti process viewer. Contains CSS from diagram-js and bpmn-js\n' +
    '(licence texts at the top of process-viewer.js).',
);

await mkdir(dist, { recursive: true });
for (const out of result.outputFiles) {
  const name = path.basename(out.path);
  let banner;
  if (name === 'process-viewer.js') banner = jsBanner;
  else if (name === 'process-viewer.css') banner = cssBanner;
  else throw new Error(`unexpected build output ${name}`);
  await writeFile(path.join(dist, name), banner + out.text);
  console.log(`dist/${name}: ${Buffer.byteLength(banner + out.text)} bytes`);
}
