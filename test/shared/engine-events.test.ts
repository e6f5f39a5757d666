/** The worker event stream parser: whole events out of arbitrarily split chunks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineEventParser, formatEvent, type EngineEvent } from '../../src-shared/engine-events.js';

const events: EngineEvent[] = [
  { type: 'run-start', rank: 1, worldSize: 2, backend: 'wasm', device: 'cpu', paramsOnRank: 10, optimizerStateOnRank: 20, coords: { dpIndex: 1, tpIndex: 0, ppIndex: 0 }, pid: 42, timestampMs: 1 },
  { type: 'step', rank: 1, step: 0, loss: 5.5, tokens: 512, stepTimeSeconds: { compute: 0.1, communication: 0.02, bubble: 0, total: 0.12 }, bytes: { allReduce: { sent: 8, received: 8 } }, frameworkMemoryBytes: 1024, frameworkMemoryPeakBytes: 4096, timestampMs: 2 },
  { type: 'error', rank: 1, kind: 'peer-lost', message: 'rank 0 — lost «ünïcode»', timestampMs: 3 },
  { type: 'run-end', rank: 1, steps: 1, timestampMs: 4 },
];

test('1-byte chunks yield exactly the events written, in order, with log lines kept apart', () => {
  const text = `${formatEvent(events[0])}a stray log line\n${events.slice(1).map(formatEvent).join('')}`;
  const parser = new EngineEventParser();
  const out = [...text].flatMap((ch) => parser.feed(ch));
  out.push(...parser.end());
  assert.deepEqual(out.filter((e) => e.type !== 'log'), events);
  assert.deepEqual(out.filter((e) => e.type === 'log'), [{ type: 'log', line: 'a stray log line' }]);
});

test('a last line without newline is flushed by end(); JSON that is not an event is a log line', () => {
  const parser = new EngineEventParser();
  assert.deepEqual(parser.feed('{"type":"nope","rank":0}\n{"type":"run-end","rank":0,'), [{ type: 'log', line: '{"type":"nope","rank":0}' }]);
  assert.deepEqual(parser.feed('"steps":2,"timestampMs":5}'), []);
  assert.deepEqual(parser.end(), [{ type: 'run-end', rank: 0, steps: 2, timestampMs: 5 }]);
});
