// Unit tests of the pure modules (no browser): cursor planning, seq gate, backoff, protocol words.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BACKOFF_MAX_MS, BACKOFF_MIN_MS, backoffDelay } from '../../src/backoff.js';
import { SeqGate, baseActivityId, countTitle, planCursor } from '../../src/cursor.js';
import { errorText, parseMessage, stateLabel } from '../../src/protocol.js';

const cursor = (over = {}) => ({
  type: 'cursor',
  businessKey: 'K',
  processInstanceId: 'pi',
  definitionId: 'def:1',
  seq: 1,
  state: 'ACTIVE',
  ended: false,
  activities: [],
  multiInstance: [],
  incidents: [],
  observedAt: 1,
  ...over,
});

test('plan adds up tokens per activity and strips the multi-instance body suffix', () => {
  const plan = planCursor(
    cursor({
      activities: [
        { activityId: 'Task_A', count: 2, waiting: 1 },
        { activityId: 'Task_M#multiInstanceBody', count: 1, waiting: 0 },
        { activityId: 'Task_M', count: 3, waiting: 0 },
        { activityId: 'Task_Z', count: 0, waiting: 0 },
      ],
      multiInstance: [{ activityId: 'Task_M', instances: 3 }],
    }),
  );
  assert.deepEqual([...plan.active], [
    ['Task_A', { count: 2, waiting: 1 }],
    ['Task_M', { count: 4, waiting: 0 }],
  ]);
  assert.deepEqual([...plan.multi], [['Task_M', 3]]);
});

test('plan groups incidents and keeps their messages', () => {
  const plan = planCursor(
    cursor({
      incidents: [
        { id: '1', activityId: 'Task_A', type: 'failedExternalTask', message: 'boom' },
        { id: '2', activityId: 'Task_A', type: 'failedJob', message: '' },
      ],
    }),
  );
  assert.deepEqual(plan.incidents.get('Task_A'), {
    count: 2,
    messages: ['failedExternalTask: boom', 'failedJob'],
  });
});

test('an ended instance draws nothing', () => {
  const plan = planCursor(
    cursor({ ended: true, state: 'COMPLETED', activities: [{ activityId: 'Task_A', count: 1, waiting: 0 }] }),
  );
  assert.equal(plan.active.size + plan.incidents.size + plan.multi.size, 0);
});

test('waiting never exceeds count and junk entries are skipped', () => {
  const plan = planCursor(
    cursor({ activities: [null, { count: 1 }, { activityId: 'T', count: 1, waiting: 5 }, { activityId: 'U', count: -2 }] }),
  );
  assert.deepEqual([...plan.active], [['T', { count: 1, waiting: 1 }]]);
});

test('seq gate drops lower seq per definition and accepts equal or higher', () => {
  const gate = new SeqGate();
  assert.equal(gate.accept('d1', 5), true);
  assert.equal(gate.accept('d1', 4), false);
  assert.equal(gate.accept('d1', 5), true);
  assert.equal(gate.accept('d1', 6), true);
  assert.equal(gate.accept('d2', 1), true, 'another definition has its own sequence');
  assert.equal(gate.accept('d1', 5), false);
});

test('backoff stays within 1 s to 15 s and grows', () => {
  assert.equal(backoffDelay(0, () => 0), BACKOFF_MIN_MS);
  assert.equal(backoffDelay(0, () => 0.999999), 2000);
  assert.equal(backoffDelay(1, () => 0), 2000);
  assert.equal(backoffDelay(2, () => 0), 4000);
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const r of [0, 0.5, 0.999999]) {
      const d = backoffDelay(attempt, () => r);
      assert.ok(d >= BACKOFF_MIN_MS && d <= BACKOFF_MAX_MS, `attempt ${attempt}: ${d}`);
    }
  }
  assert.equal(backoffDelay(10, () => 0.999999), BACKOFF_MAX_MS);
  assert.equal(backoffDelay(10, () => 0), BACKOFF_MAX_MS / 2);
});

test('words for states and errors', () => {
  assert.equal(stateLabel('ACTIVE'), 'Running');
  assert.equal(stateLabel('COMPLETED'), 'Completed');
  assert.equal(stateLabel('EXTERNALLY_TERMINATED'), 'Terminated');
  assert.equal(stateLabel('INTERNALLY_TERMINATED'), 'Terminated');
  assert.equal(errorText({ code: 'unknown_business_key', businessKey: 'K-1' }, 'x'), 'No process with business key K-1');
  assert.match(errorText({ code: 'engine_unavailable' }, 'K'), /engine is unavailable/);
  assert.equal(errorText({ code: 'bad_request', message: 'nope' }, 'K'), 'The adapter rejected a request: nope');
  assert.equal(countTitle({ count: 1, waiting: 0 }), '1 token here');
  assert.equal(baseActivityId('X#multiInstanceBody'), 'X');
});

test('parseMessage accepts only JSON objects with a type', () => {
  assert.deepEqual(parseMessage('{"type":"hello","protocol":1}'), { type: 'hello', protocol: 1 });
  assert.equal(parseMessage('not json'), null);
  assert.equal(parseMessage('[1]'), null);
  assert.equal(parseMessage('{"no":"type"}'), null);
  assert.equal(parseMessage(new ArrayBuffer(2)), null);
});
