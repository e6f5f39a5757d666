/**
 * `shardscope calibrate [--model ID|FILE] [--global-batch B] [--show] [--db PATH] [--json]`: measures
 * this host for the predictions of the built-in engine (see core/calibration/measure-host.ts), keeps the
 * result in the store (previous calibrations stay) and prints it with its age. `--show` prints the
 * latest stored calibration without measuring. `--hosts FILE [--known-hosts FILE]` calibrates every host of
 * a hosts file (as `run --hosts` takes) over SSH, and the collectives and link between each pair of them
 * (core/calibration/calibrate-hosts.ts); the links also go to hosts.json, as `hosts probe` keeps them.
 */
import { existsSync } from 'node:fs';
import { defaultGlobalBatch } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { CalibrationStore } from '../../core/calibration/calibration-store.js';
import { describeCalibration } from '../../../src-shared/calibration/describe-calibration.js';
import { measureHost } from '../../core/calibration/measure-host.js';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import { RunStore } from '../../core/store/run-store.js';
import { intFlag, knownHostsFlag, parseFlags, storePathFlag } from '../args.js';
import { engineModelFlag, hostsFileFlag } from '../input-files.js';
import { printJson, printLine, type CliCommand } from '../io.js';
import { packageVersion, workerBundlePath } from '../runtime-paths.js';
import { calibrateHosts } from '../../core/calibration/calibrate-hosts.js';
import { defaultHostSettingsPath, saveLinks } from '../../core/hosts/host-settings.js';
import { formatBytesPerSecond, formatDuration } from '../../../src-shared/units.js';

/** The command. */
export const calibrateCommand: CliCommand = async (args, io) => {
  const { values } = parseFlags(args, {
    model: { type: 'string' }, 'global-batch': { type: 'string' }, show: { type: 'boolean' }, db: { type: 'string' }, json: { type: 'boolean' },
    hosts: { type: 'string' }, reps: { type: 'string' }, 'known-hosts': { type: 'string' },
  });
  if (values['known-hosts'] !== undefined && values.hosts === undefined) throw new ShardScopeError('bad-input', '--known-hosts only applies with --hosts FILE');
  if (values.show && values.hosts !== undefined) throw new ShardScopeError('bad-input', '--show prints this host\'s calibration; it does not take --hosts');
  const hostsFile = values.hosts === undefined ? null : hostsFileFlag(values.hosts, io.env);
  const path = storePathFlag(values.db, io.env);
  if (values.show) {
    if (!existsSync(path)) throw new ShardScopeError('not-found', `no store at ${path}: run shardscope calibrate first`);
    const store = RunStore.open(path, { readonly: true });
    try {
      const latest = new CalibrationStore(store.db).latest(LOCAL_HOST_ID);
      if (!latest) throw new ShardScopeError('not-found', `host ${LOCAL_HOST_ID} has never been calibrated: run shardscope calibrate`);
      if (values.json) printJson(io, latest);
      else describeCalibration(latest, Date.now()).forEach((line) => printLine(io, line));
    } finally {
      store.close();
    }
    return 0;
  }
  const { model } = engineModelFlag(values.model ?? 'bench');
  const globalBatch = intFlag('global-batch', values['global-batch'], defaultGlobalBatch, 1, 4096);
  const reps = intFlag('reps', values.reps, 5, 1, 100);
  const progress = (line: string) => io.stderr.write(`${line}\n`);
  const startedMs = Date.now();
  if (hostsFile) {
    const done = await calibrateHosts({
      hosts: hostsFile, knownHostsFile: knownHostsFlag(values['known-hosts'], io.env), workerPath: workerBundlePath(), model, globalBatch,
      shardscopeVersion: packageVersion(), reps, onProgress: progress, signal: io.signal, env: io.env,
    });
    const store = RunStore.open(path);
    try {
      const calibrations = new CalibrationStore(store.db);
      const stored = done.calibrations.map((c) => calibrations.add(c));
      if (done.links.length) saveLinks(defaultHostSettingsPath(io.env), done.links);
      progress(`calibrated ${stored.length} host(s) in ${((Date.now() - startedMs) / 1000).toFixed(1)} s; stored as calibration ${stored.map((c) => `#${c.id} (${c.hostId})`).join(', ')} in ${path}${done.links.length ? `; links kept in ${defaultHostSettingsPath(io.env)}` : ''}`);
      if (values.json) printJson(io, { calibrations: stored, links: done.links });
      else {
        stored.forEach((c) => describeCalibration(c, Date.now()).forEach((line) => printLine(io, line)));
        done.links.forEach((l) => printLine(io, `link ${l.from} <-> ${l.to}: ${formatDuration(l.latencyMs / 1000)}, ${formatBytesPerSecond(l.bytesPerSecond)} (link probe)`));
      }
    } finally {
      store.close();
    }
    return 0;
  }
  const measured = await measureHost({
    workerPath: workerBundlePath(), hostId: LOCAL_HOST_ID, model, globalBatch, shardscopeVersion: packageVersion(),
    onProgress: progress, signal: io.signal, reps, env: io.env,
  });
  const store = RunStore.open(path);
  try {
    const stored = new CalibrationStore(store.db).add(measured);
    progress(`calibrated in ${((Date.now() - startedMs) / 1000).toFixed(1)} s; stored as calibration #${stored.id} in ${path}`);
    if (values.json) printJson(io, stored);
    else describeCalibration(stored, Date.now()).forEach((line) => printLine(io, line));
  } finally {
    store.close();
  }
  return 0;
};
