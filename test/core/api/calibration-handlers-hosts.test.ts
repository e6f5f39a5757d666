/**
 * The app's Calibrate call on saved SSH hosts, against real sshd hosts of the SSH test cluster: this
 * machine and a saved host are measured (workers shipped there as for a run), with the collectives and
 * the link between them; each calibration is stored, the link kept in hosts.json, progress pushed per host.
 * Unknown, repeated or untrusted hosts are refused with one line naming the host, and nothing is stored.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { CalibrateResult, KnownCalibrations } from '../../../src-shared/api/calibration-contract.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { dispatchCall } from '../../../src-main/core/api/dispatch.js';
import { calibrationHandlers } from '../../../src-main/core/api/calibration-handlers.js';
import { HostsService } from '../../../src-main/core/hosts/hosts-service.js';
import { RunStore } from '../../../src-main/core/store/run-store.js';
import { startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';
import { WORKER_PATH } from '../../support/paths.js';

let cluster: SshCluster;
let dir: string;

before(async () => {
  cluster = await startSshCluster([{ name: 'cpu-host', smi: { kind: 'missing' } }, { name: 'stranger', smi: { kind: 'missing' } }]);
  dir = mkdtempSync(join(tmpdir(), 'shardscope-calh-hosts-'));
});
after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** An app home with both hosts saved; its known_hosts trusts cpu-host's key only. */
function appHome() {
  const home = mkdtempSync(join(dir, 'home-'));
  const saved = (name: string) => ({ id: name, host: cluster.host(name).address, port: 22, user: cluster.user, identityFiles: [cluster.clientKeyFile], source: 'manual', addedAtMs: Date.now() });
  writeFileSync(join(home, 'hosts.json'), JSON.stringify({ version: 1, hosts: [saved('cpu-host'), saved('stranger')], links: [] }));
  const strangerAddress = cluster.host('stranger').address;
  const trusted = readFileSync(cluster.knownHostsFile, 'utf8').split('\n').filter((l) => !l.split(/[\s,]/).includes(strangerAddress));
  writeFileSync(join(home, 'known_hosts'), trusted.join('\n'));
  const hosts = new HostsService({ settingsFile: join(home, 'hosts.json'), knownHostsFile: join(home, 'known_hosts'), agentSocket: '', discoveryTimeoutMs: 15_000 });
  const store = RunStore.open(join(home, 'shardscope.db'));
  const events: Array<{ hostId: string; line: string }> = [];
  const handlers = calibrationHandlers({
    db: store.db, workerPath: WORKER_PATH, hostId: 'local', version: 'test', emit: (line, hostId) => events.push({ hostId, line }), hosts,
  }) as unknown as ApiHandlers;
  const call = <T>(method: string, arg?: unknown): Promise<T> => dispatchCall(handlers, method, arg === undefined ? [] : [arg]) as Promise<T>;
  return { home, hosts, store, events, call };
}

async function rejectsWith(promise: Promise<unknown>, kind: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof ShardScopeError && error.kind === kind && pattern.test(error.message) && !error.message.includes('\n'));
}

test('unknown, repeated and untrusted hosts are refused with a line naming the host; nothing is stored', { timeout: 120_000 }, async () => {
  const { store, events, call } = appHome();
  try {
    await rejectsWith(call('calibrate', { model: 'tiny', hosts: ['local', 'nowhere'] }), 'not-found', /no saved host "nowhere"/);
    await rejectsWith(call('calibrate', { model: 'tiny', hosts: ['local', 'cpu-host', 'local'] }), 'bad-input', /host "local" is chosen twice/);
    await rejectsWith(call('calibrate', { model: 'tiny', hosts: [] }), 'bad-input', /hosts/);
    assert.deepEqual(events, [], 'no measurement started');
    // stranger's key is not in the app's known_hosts: refused before anything runs there
    await assert.rejects(call('calibrate', { model: 'tiny', hosts: ['local', 'stranger'], reps: 1, globalBatch: 2 }),
      (e: unknown) => e instanceof ShardScopeError && /stranger/.test(e.message) && /host key|known_hosts|not trusted/i.test(e.message) && !e.message.includes('\n'));
    const state = await call<KnownCalibrations>('getCalibrations');
    assert.deepEqual(state.hosts.map((h) => [h.hostId, h.kind, h.latest]), [['local', 'local', null], ['cpu-host', 'ssh', null], ['stranger', 'ssh', null]]);
  } finally {
    store.close();
  }
});

test('calibrating this machine and a saved SSH host stores both (with cross-host figures), keeps the link, and lists every host with its age', { timeout: 300_000 }, async () => {
  const { home, hosts, store, events, call } = appHome();
  try {
    await hosts.discover({ hostIds: ['cpu-host', 'stranger'] });
    const before = await call<KnownCalibrations>('getCalibrations');
    assert.deepEqual(before.hosts.map((h) => [h.hostId, h.reachable]), [['local', 'ok'], ['cpu-host', 'ok'], ['stranger', 'error']]);
    assert.match(before.hosts[2].reachError ?? '', /host-key/);

    const done = await call<CalibrateResult>('calibrate', { model: 'tiny', hosts: ['local', 'cpu-host'], reps: 1, globalBatch: 2 });
    assert.deepEqual(done.calibrations.map((c) => c.hostId), ['local', 'cpu-host']);
    for (const c of done.calibrations) {
      assert.ok(typeof c.id === 'number', `${c.hostId}: stored`);
      assert.ok(c.engines[0].segments.length > 0, `${c.hostId}: the engine measured`);
      const cross = c.collectives.filter((t) => t.scope === 'cross-host');
      assert.ok(cross.length > 0 && cross.every((t) => t.seconds > 0), `${c.hostId}: cross-host collectives timed`);
    }
    assert.equal(done.calibrations[1].cpu.cores > 0, true);
    assert.equal(done.links.length, 1);
    assert.ok(done.links[0].bytesPerSecond > 0);
    const saved = JSON.parse(readFileSync(join(home, 'hosts.json'), 'utf8'));
    assert.deepEqual(saved.links.map((l: { from: string; to: string }) => [l.from, l.to].sort()), [['cpu-host', 'local']], 'the link kept for the Planner');
    assert.ok(events.some((e) => e.hostId === 'cpu-host' && /cpu-host: built-in engine at the shapes of tiny/.test(e.line)), 'progress names the remote host');
    assert.ok(events.some((e) => e.hostId === 'local' && /local: built-in engine/.test(e.line)));

    const after = await call<KnownCalibrations>('getCalibrations');
    const byId = new Map(after.hosts.map((h) => [h.hostId, h]));
    assert.equal(byId.get('local')?.latest?.id, done.calibrations[0].id);
    assert.equal(byId.get('cpu-host')?.latest?.id, done.calibrations[1].id);
    assert.deepEqual(byId.get('cpu-host')?.latest?.crossHostPeers, ['local']);
    assert.equal(byId.get('cpu-host')?.history.length, 1);
    assert.equal(byId.get('stranger')?.latest, null, 'never calibrated, said as such');
  } finally {
    store.close();
  }
});
