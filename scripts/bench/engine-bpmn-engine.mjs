#!/usr/bin/env node
// engine-bpmn-engine.mjs MODEL.bpmn INSTANCES [WARMUP]: the npm bpmn-engine peer of
// `carpetti bench engine`.
//
// Runs INSTANCES instances of the model's process, one after another, in memory, after WARMUP
// instances that are not timed. The model is written by `carpetti bench engine` from the same
// topology as ours: its tasks are `bpmn:userTask`s, which raise `wait` on the listener and are
// signalled from it (the research measured no-op service tasks at the same rate), and its one
// condition is a bpmn-engine expression calling a service
// (`${environment.services.greaterThan(environment.variables.amount, 100)}`: expressions are
// property paths and calls, not operators; a `javascript` script condition would start a new
// `vm` context per evaluation). Instance i starts with amount = 150 when i is even and 50 when
// odd, so both branches of the gateway run. The XML is parsed (bpmn-moddle) and serialized
// (moddle-context-serializer) once; each instance is a new `Engine` on that `sourceContext`.
//
// Prints one JSON object: {"engine", "version", "runtime", "instances", "warmup", "tasks",
// "seconds", "instances_per_sec", "tasks_per_sec", "task_counts" (completions by task id),
// "peak_rss_mb"}.

import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';

let Engine, BpmnModdle, Elements, serializer, TypeResolver;
try {
  ({ Engine } = await import('bpmn-engine'));
  ({ default: BpmnModdle } = await import('bpmn-moddle'));
  Elements = await import('bpmn-elements');
  ({ default: serializer, TypeResolver } = await import('moddle-context-serializer'));
} catch (error) {
  console.error(`bpmn-engine is not installed (${error.message}): cd scripts/bench && npm ci`);
  process.exit(1);
}

const [path, instancesArg, warmupArg] = process.argv.slice(2);
if (!path || !instancesArg) {
  console.error('usage: engine-bpmn-engine.mjs MODEL.bpmn INSTANCES [WARMUP]');
  process.exit(2);
}
const instances = Number.parseInt(instancesArg, 10);
const warmup = warmupArg ? Number.parseInt(warmupArg, 10) : 0;

const moddleContext = await new BpmnModdle().fromXML(readFileSync(path, 'utf8'));
const sourceContext = serializer(moddleContext, TypeResolver(Elements));
const services = { greaterThan: (a, b) => a > b };

/** One instance to its end; counts the tasks it completed by id; returns how many. */
async function runInstance(amount, counts) {
  const engine = new Engine({ name: 'bench', sourceContext });
  const listener = new EventEmitter();
  let done = 0;
  listener.on('wait', (api) => {
    counts[api.id] = (counts[api.id] ?? 0) + 1;
    done += 1;
    api.signal();
  });
  const ended = new Promise((resolve, reject) => {
    engine.once('end', resolve);
    engine.once('error', reject);
  });
  await engine.execute({ listener, services, variables: { amount } });
  await ended;
  return done;
}

for (let i = 0; i < warmup; i++) await runInstance(i % 2 === 0 ? 150 : 50, {});

const counts = {};
let tasks = 0;
const started = performance.now();
for (let i = 0; i < instances; i++) tasks += await runInstance(i % 2 === 0 ? 150 : 50, counts);
const seconds = (performance.now() - started) / 1000;

/** This process's peak RSS (VmHWM: unlike maxRSS it does not carry the parent's peak over exec). */
function peakRssMb() {
  try {
    const line = readFileSync('/proc/self/status', 'ascii')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    return line ? Number.parseInt(line.split(/\s+/)[1], 10) / 1024 : null;
  } catch {
    return null;
  }
}

const version = JSON.parse(
  readFileSync(new URL('./node_modules/bpmn-engine/package.json', import.meta.url), 'utf8'),
).version;
console.log(
  JSON.stringify({
    engine: 'bpmn-engine',
    version,
    runtime: `Node ${process.versions.node}`,
    instances,
    warmup,
    tasks,
    seconds,
    instances_per_sec: instances / Math.max(seconds, 1e-9),
    tasks_per_sec: tasks / Math.max(seconds, 1e-9),
    task_counts: counts,
    peak_rss_mb: peakRssMb(),
  }),
);
