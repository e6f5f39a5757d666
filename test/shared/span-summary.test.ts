/** What spans add up to: compute outside collectives, exposed communication, bubble vs waits, idle, slowest rank, the pipeline bubble. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idealBubbleFraction, pipelineBubble, summariseRankStep, summariseSteps } from '../../src-shared/span-summary.js';
import { isTracedStep, parseStepRange, type RankSpan } from '../../src-shared/trace-spans.js';

const at = (rank: number, kind: RankSpan['kind'], name: string, startMs: number, durationMs: number, extra: Partial<RankSpan> = {}): RankSpan =>
  ({ rank, step: 0, stage: rank, kind, name, startMs, durationMs, ...extra });

test('a rank step splits into compute, exposed communication, bubble, wait and idle', () => {
  const spans = [
    at(1, 'data', 'data', 0, 1),
    at(1, 'collective', 'recv pp', 1, 10, { group: 'pp', waitMs: 9 }), // 9 ms waiting for stage 0, 1 ms transfer
    at(1, 'forward', 'forward', 11, 20), // contains a 5 ms TP all-reduce, 2 ms of it waiting
    at(1, 'collective', 'allReduce tp', 20, 5, { group: 'tp', waitMs: 2 }),
    at(1, 'optimizer', 'optimizer', 35, 4), // 4 ms gap before it: idle
  ];
  const r = summariseRankStep({ rank: 1, step: 0, stepStartMs: 0, stepEndMs: 40 }, spans);
  assert.equal(r.totalMs, 40);
  assert.equal(r.computeMs, 1 + 20 - 5 + 4, 'compute spans outside the collectives they contain');
  assert.equal(r.exposedCommunicationMs, 1 + 3, 'transfer parts of the collectives');
  assert.equal(r.bubbleMs, 9, 'pp waits are bubble');
  assert.equal(r.waitMs, 2, 'tp/dp waits are waits for other ranks');
  assert.equal(r.idleMs, 40 - 39 + 4, 'time under no span');
});

test('per step: the slowest rank is the one with most compute; the pipeline bubble is pp waits over the forward/backward window', () => {
  // Two stages, 2 micro-batches, 10 ms per pass: stage 1 waits 10 ms at the start, stage 0 waits 10 ms for the first gradient.
  const s0 = [
    at(0, 'forward', 'forward', 0, 10), at(0, 'forward', 'forward', 10, 10),
    at(0, 'collective', 'recv pp', 20, 10, { group: 'pp', waitMs: 10 }),
    at(0, 'backward', 'backward', 30, 10), at(0, 'backward', 'backward', 40, 10),
  ];
  const s1 = [
    at(1, 'collective', 'recv pp', 0, 10, { group: 'pp', waitMs: 10 }),
    at(1, 'forward', 'forward', 10, 10), at(1, 'forward', 'forward', 20, 10), at(1, 'backward', 'backward', 30, 12), at(1, 'backward', 'backward', 42, 8),
  ];
  const windows = [0, 1].map((rank) => ({ rank, step: 0, stepStartMs: 0, stepEndMs: 50 }));
  const [step] = summariseSteps(windows, [...s0, ...s1]);
  assert.equal(step.bubbleFraction, 10 / 50, 'each stage idles 10 of the 50 ms window');
  assert.equal(pipelineBubble([s0, s1]), 0.2);
  assert.equal(idealBubbleFraction(2, 2), 1 / 3);
  assert.equal(idealBubbleFraction(2, 4), 0.2);
  assert.equal(step.slowestRank, 0, 'rank 0 computes 40 ms, rank 1 40 ms: the first of the tie');
  s1.push(at(1, 'optimizer', 'optimizer', 50, 3));
  assert.equal(summariseSteps([...windows.slice(0, 1), { rank: 1, step: 0, stepStartMs: 0, stepEndMs: 53 }], [...s0, ...s1])[0].slowestRank, 1);
  assert.equal(pipelineBubble([[at(0, 'forward', 'forward', 0, 5)]]), null, 'no pp traffic: no pipeline bubble');
});

test('--trace-steps ranges: A-B, A, none; bad ones are bad-input', () => {
  assert.deepEqual(parseStepRange('2-5', '--trace-steps'), { firstStep: 2, lastStep: 5 });
  assert.deepEqual(parseStepRange('3', '--trace-steps'), { firstStep: 3, lastStep: 3 });
  assert.equal(parseStepRange('none', '--trace-steps'), null);
  assert.throws(() => parseStepRange('5-2', '--trace-steps'), { kind: 'bad-input' });
  assert.throws(() => parseStepRange('a-b', '--trace-steps'), { kind: 'bad-input' });
  assert.equal(isTracedStep(undefined, 7), true, 'default: every step');
  assert.equal(isTracedStep(null, 0), false);
  assert.equal(isTracedStep({ firstStep: 2, lastStep: 3 }, 3), true);
  assert.equal(isTracedStep({ firstStep: 2, lastStep: 3 }, 4), false);
});
