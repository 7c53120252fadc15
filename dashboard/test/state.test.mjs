// The dashboard's state logic, with Node's own test runner: `npm test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { support, verdictMeaning } from '../src/api.js';
import { initial, reducer } from '../src/useNetwork.js';

const decision = (taskId, decidedAt, extra = {}) => ({
  taskId,
  decidedAt,
  status: 'DECIDED',
  label: 7,
  agreeingWeight: 2,
  totalWeight: 3,
  verdicts: [],
  ...extra,
});

test('decisions are kept once each, newest first', () => {
  let s = reducer(initial, { type: 'consensus', value: [decision('a', 1), decision('b', 3)] });
  s = reducer(s, { type: 'consensus', value: [decision('a', 1), decision('c', 2)] });
  assert.deepEqual(
    s.decisions.map((d) => d.taskId),
    ['b', 'c', 'a'],
  );
});

test('a task is pending until its decision arrives, and never pending once decided', () => {
  const now = Date.now();
  let s = reducer(initial, {
    type: 'tasks',
    value: [
      { taskId: 'a', submittedAt: now },
      { taskId: 'b', submittedAt: now },
    ],
  });
  assert.deepEqual(s.pending.map((p) => p.taskId).sort(), ['a', 'b']);
  s = reducer(s, { type: 'consensus', value: [decision('a', now)] });
  assert.deepEqual(
    s.pending.map((p) => p.taskId),
    ['b'],
  );
  s = reducer(s, { type: 'tasks', value: [{ taskId: 'a', submittedAt: now }] });
  assert.deepEqual(
    s.pending.map((p) => p.taskId),
    ['b'],
  );
});

test('pending tasks older than two minutes are dropped', () => {
  const s = reducer(initial, {
    type: 'tasks',
    value: [
      { taskId: 'old', submittedAt: Date.now() - 200_000 },
      { taskId: 'new', submittedAt: Date.now() },
    ],
  });
  assert.deepEqual(
    s.pending.map((p) => p.taskId),
    ['new'],
  );
});

test('reputation updates extend the peer history and update the peer, keeping fields the ledger adds', () => {
  let s = { ...initial, peers: [{ peerId: 'p1', status: 'active', reputation: { score: 0.5, bond: 10 } }] };
  s = reducer(s, {
    type: 'reputation',
    value: [
      { peerId: 'p1', score: 0.6, t: 1 },
      { peerId: 'p2', score: 0.9, t: 1 },
    ],
  });
  assert.equal(s.histories.p1.length, 1);
  assert.equal(s.histories.p2.length, 1);
  assert.deepEqual(s.peers[0].reputation, { score: 0.6, bond: 10, peerId: 'p1', t: 1 });
});

test('dead letters are counted by reason, newest first', () => {
  let s = reducer(initial, {
    type: 'dead-letters',
    value: [
      { reason: 'not-an-image', key: 'a' },
      { reason: 'blank-image', key: 'b' },
    ],
  });
  s = reducer(s, { type: 'dead-letters', value: [{ reason: 'not-an-image', key: 'c' }] });
  assert.equal(s.dead.total, 3);
  assert.deepEqual(s.dead.byReason, { 'not-an-image': 2, 'blank-image': 1 });
  assert.deepEqual(
    s.dead.recent.map((d) => d.key),
    ['c', 'b', 'a'],
  );
});

test('a summary that says not ready marks the page not ready, and a real one marks it ready', () => {
  let s = reducer(initial, { type: 'summary', value: { ready: false } });
  assert.equal(s.ready, false);
  s = reducer(s, { type: 'summary', value: { tasksCompleted: 3 } });
  assert.equal(s.ready, true);
  assert.equal(s.summary.tasksCompleted, 3);
});

test('support is agreeing over total weight, and null without weights', () => {
  assert.equal(support({ agreeingWeight: 2, totalWeight: 4 }), 0.5);
  assert.equal(support({ agreeingWeight: 2, totalWeight: 0 }), null);
  assert.equal(support({ agreeingWeight: null, totalWeight: 3 }), null);
  assert.equal(support(undefined), null);
});

test('each verdict says whether the vote counted, and why', () => {
  assert.deepEqual(verdictMeaning({ verdict: 'AGREED' }), { counted: true, why: 'voted the decided label' });
  assert.equal(verdictMeaning({ verdict: 'DISAGREED' }).counted, true);
  assert.equal(verdictMeaning({ verdict: 'MISSED' }).counted, false);
  assert.match(verdictMeaning({ verdict: 'PENDING' }).why, /not voted yet/);
  assert.match(verdictMeaning({ verdict: 'LATE' }).why, /after the decision/);
  assert.deepEqual(verdictMeaning({ verdict: 'INVALID', reason: 'bad-signature' }), {
    counted: false,
    why: 'bad-signature',
  });
  assert.equal(verdictMeaning({ verdict: 'SOMETHING_NEW' }).counted, false);
});

test('a label reads with its class name when the model names its classes', async () => {
  const { labelText } = await import('../src/api.js');
  assert.equal(labelText(3, { labels: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress'] }), '3 Dress');
  assert.equal(labelText(3, { labels: ['0', '1', '2', '3'] }), '3');
  assert.equal(labelText(3, undefined), '3');
  assert.equal(labelText(0, null), '0');
  assert.equal(labelText(null, { labels: [] }), null);
});

test('an upload names the chosen model, and no model when none is chosen', async () => {
  const { taskUrl } = await import('../src/api.js');
  const id = 'f'.repeat(64);
  assert.equal(taskUrl('boot 1.png', id), `/api/tasks?name=boot+1.png&model=${id}`);
  assert.equal(taskUrl('a&b.png', null), '/api/tasks?name=a%26b.png');
});

test('the model picker lists the models by name and starts on the API default', async () => {
  const { modelChoices } = await import('../src/api.js');
  const models = {
    m: { modelId: 'm'.repeat(64), name: 'mnist', default: true },
    f: { modelId: 'f'.repeat(64), name: 'fashion-mnist', default: false },
    u: { modelId: 'u'.repeat(64), name: null, default: false },
  };
  const { choices, defaultId } = modelChoices(models);
  assert.deepEqual(
    choices.map((c) => c.label),
    ['fashion-mnist', 'mnist', `${'u'.repeat(12)}…`],
  );
  assert.equal(defaultId, 'm'.repeat(64));
  // without a default, the first; without models, none
  assert.equal(modelChoices({ f: models.f, u: models.u }).defaultId, 'f'.repeat(64));
  assert.deepEqual(modelChoices({}), { choices: [], defaultId: null });
  assert.deepEqual(modelChoices(undefined), { choices: [], defaultId: null });
});
