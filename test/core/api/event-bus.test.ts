/** The event bus: a listener that throws is logged and kept; the others still get every event. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiEventBus } from '../../../src-main/core/api/event-bus.js';
import { createLogger } from '../../../src-main/core/log/logger.js';

test('a throwing listener does not stop the others, is logged once with its stack and keeps receiving', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-bus-'));
  const filePath = join(dir, 'shardscope.log');
  try {
    const bus = new ApiEventBus(createLogger({ filePath, level: 'info' }));
    const seenByBroken: string[] = [];
    const seenByGood: string[] = [];
    bus.subscribe((event) => {
      seenByBroken.push(event);
      throw new RangeError('listener bug');
    });
    bus.subscribe((event) => { seenByGood.push(event); });
    bus.emit('hosts', { hosts: [] } as never);
    bus.emit('inventory', { hosts: [] });
    assert.deepEqual(seenByGood, ['hosts', 'inventory']);
    assert.deepEqual(seenByBroken, ['hosts', 'inventory'], 'the throwing listener stays subscribed');
    const text = readFileSync(filePath, 'utf8');
    assert.match(text, /ERROR event listener threw on "hosts"/);
    assert.match(text, /RangeError: listener bug/);
    assert.equal(text.match(/ERROR/g)?.length, 1, 'repeats are not logged every time');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
