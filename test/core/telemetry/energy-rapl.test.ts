import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raplEnergy } from '../../../src-main/core/telemetry/energy.js';
import { readRapl } from '../../../src-main/core/telemetry/energy-rapl.js';

function zone(root: string, name: string, label: string, energyMicrojoules: number, maxMicrojoules: number): void {
  mkdirSync(join(root, name), { recursive: true });
  writeFileSync(join(root, name, 'name'), `${label}\n`);
  writeFileSync(join(root, name, 'energy_uj'), `${energyMicrojoules}\n`);
  writeFileSync(join(root, name, 'max_energy_range_uj'), `${maxMicrojoules}\n`);
}

test('readRapl reads package zones from a powercap folder, skips sub-zones, and the energy survives a wrap', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'shardscope-rapl-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const max = 65_532_610_987;
  zone(root, 'intel-rapl:0', 'package-0', max - 5_000_000, max);
  zone(root, 'intel-rapl:1', 'package-1', 10_000_000, max);
  zone(root, 'intel-rapl:0:0', 'core', 123, max); // inside package-0, must not be added again
  let clockMs = 1_000;
  const first = await readRapl(root, () => clockMs);
  assert.deepEqual(first?.domains.map((d) => d.name), ['package-0', 'package-1']);
  // one second later: package-0 wrapped after 5 J and went on to 7 J; package-1 used 4 J
  writeFileSync(join(root, 'intel-rapl:0', 'energy_uj'), '7000000\n');
  writeFileSync(join(root, 'intel-rapl:1', 'energy_uj'), '14000000\n');
  clockMs = 2_000;
  const second = await readRapl(root, () => clockMs);
  assert.ok(first && second);
  const cpu = raplEnergy([first, second]);
  assert.ok(Math.abs(cpu.energyJoules - 16) < 1e-9, `${cpu.energyJoules}`);
  assert.ok(Math.abs((cpu.power[0].powerWatts ?? 0) - 16) < 1e-9);
});

test('readRapl answers null where there is no RAPL or no readable counter', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'shardscope-rapl-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.equal(await readRapl(join(root, 'missing')), null);
  mkdirSync(join(root, 'intel-rapl:0'));
  writeFileSync(join(root, 'intel-rapl:0', 'name'), 'package-0\n'); // no energy_uj, as when it is not readable
  assert.equal(await readRapl(root), null);
});
