// A task's committee and escalation as the task detail shows them, and the summary's escalations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { committeeOf, escalationMeaning, escalationSummary, verdictMeaning } from '../src/api.js';

test('a drawn committee lists each peer once with the seats it holds, in first-seat order', () => {
  const c = committeeOf({ committee: ['p3', 'p1', 'p3'], verdicts: [{ peerId: 'p1' }, { peerId: 'p3' }] });
  assert.equal(c.seats, 3);
  assert.deepEqual(c.peers, [
    { peerId: 'p3', seats: 2 },
    { peerId: 'p1', seats: 1 },
  ]);
});

test('an empty committee is every eligible peer, one seat each', () => {
  const c = committeeOf({ committee: [], verdicts: [{ peerId: 'p1' }, { peerId: 'p2' }] });
  assert.equal(c.seats, 'all');
  assert.deepEqual(c.peers, [
    { peerId: 'p1', seats: 1 },
    { peerId: 'p2', seats: 1 },
  ]);
  // a decision from before committees has no committee field at all
  assert.equal(committeeOf({ verdicts: [{ peerId: 'p1' }] }).seats, 'all');
  assert.deepEqual(committeeOf(undefined), { seats: 'all', peers: [] });
});

test('an escalation says why the referee decided, and nothing when the seats did', () => {
  assert.equal(escalationMeaning('disagreement'), 'the seats disagreed');
  assert.equal(escalationMeaning('missing-seat'), 'a seat sent no vote by the deadline');
  assert.equal(escalationMeaning('invalid-vote'), 'a seat sent an invalid vote');
  assert.equal(escalationMeaning('no-quorum'), 'no label reached the quorum');
  assert.equal(escalationMeaning('audit'), 'picked for an audit');
  assert.equal(escalationMeaning('a-new-reason'), 'a-new-reason');
  assert.equal(escalationMeaning(null), null);
});

test('a drifted vote did not count and is never slashed', () => {
  const m = verdictMeaning({ verdict: 'DRIFTED', reason: 'drift: probabilities match re-execution, argmax differs' });
  assert.equal(m.counted, false);
  assert.match(m.why, /near-tie/);
  assert.match(m.why, /never slashed/);
});

test('the summary’s escalations are totalled, the most frequent reason first', () => {
  const s = escalationSummary({ committees: { escalations: { audit: 1, disagreement: 3, 'missing-seat': 1 } } });
  assert.equal(s.total, 5);
  assert.equal(s.text, 'disagreement 3 · audit 1 · missing-seat 1');
  assert.deepEqual(escalationSummary({}), { total: 0, text: '' });
  assert.deepEqual(escalationSummary(null), { total: 0, text: '' });
});
