/**
 * `shardscope hosts [list] [--json]` — the saved hosts and link measurements ($SHARDSCOPE_HOME/hosts.json);
 * `shardscope hosts import --ssh-config FILE`; `shardscope hosts probe --hosts FILE [--known-hosts FILE]
 * [--seconds S] [--json]` — latency and bandwidth between every pair of the file's hosts, saved for the planner;
 * `trust`, `clean`, `set`: hosts-remote.ts.
 */
import { dirname } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { formatBytesPerSecond, formatCount, formatDuration } from '../../../src-shared/units.js';
import { defaultHostSettingsPath, importSshConfigHosts, loadHostSettings, saveLinks } from '../../core/hosts/host-settings.js';
import { prepareRun } from '../../core/launch/remote-launch.js';
import { interNodeBytesPerSecondOf, probeLinks } from '../../core/probe/link-probe.js';
import { workerBundleOf } from '../../core/ssh/deploy.js';
import { knownHostsFlag, numberFlag, parseFlags } from '../args.js';
import { hostsFileFlag } from '../input-files.js';
import { workerBundlePath } from '../runtime-paths.js';
import { printJson, printLine, type CliCommand } from '../io.js';
import { hostsClean, hostsSet, hostsTrust } from './hosts-remote.js';

/** The `hosts` command. */
export const hostsCommand: CliCommand = async (args, io) => {
  const [sub = 'list', ...rest] = args[0]?.startsWith('-') ? ['list', ...args] : args;
  if (sub === 'trust') return hostsTrust(rest, io);
  if (sub === 'clean') return hostsClean(rest, io);
  if (sub === 'set') return hostsSet(rest, io);
  const { values } = parseFlags(rest, { json: { type: 'boolean' }, hosts: { type: 'string' }, 'known-hosts': { type: 'string' }, seconds: { type: 'string' }, 'ssh-config': { type: 'string' } });
  const file = defaultHostSettingsPath(io.env);
  if (sub === 'list') {
    const settings = loadHostSettings(file);
    if (values.json) printJson(io, settings);
    else {
      settings.hosts.forEach((h) => printLine(io, `${h.id}  ${h.user}@${h.host}:${h.port}  (${h.source})${h.node ? `  node ${h.node}` : ''}${h.python ? `  python ${h.python}` : ''}`));
      settings.links.forEach((l) => printLine(io, `${l.from} <-> ${l.to}: ${formatDuration(l.latencyMs / 1000)}, ${formatBytesPerSecond(l.bytesPerSecond)}`));
    }
    return 0;
  }
  if (sub === 'import') {
    if (!values['ssh-config']) throw new ShardScopeError('bad-input', 'hosts import needs --ssh-config FILE');
    const { settings, imported, skipped, invalid } = importSshConfigHosts(file, values['ssh-config']);
    for (const { alias, reason } of invalid) io.stderr.write(`shardscope hosts: skipped Host ${alias}: ${reason}\n`);
    printLine(io, `imported ${formatCount(imported.length, 'host')}${imported.length ? ` (${imported.join(', ')})` : ''}; ${formatCount(settings.hosts.length, 'host')} saved in ${file}`);
    if (skipped.length > 0) printLine(io, `skipped ${formatCount(skipped.length, 'host')} already listed: ${skipped.map((s) => (s.id === s.existingId ? s.id : `${s.id} (as ${s.existingId})`)).join(', ')}`);
    return 0;
  }
  if (sub !== 'probe') throw new ShardScopeError('bad-input', `hosts: unknown sub-command "${sub}" (list, import, probe, trust, clean, set)`);
  if (!values.hosts) throw new ShardScopeError('bad-input', 'hosts probe needs --hosts FILE (a JSON list, as for run --hosts)');
  const hosts = hostsFileFlag(values.hosts, io.env).map((h) => ({ ...h, devices: [h.devices[0]] }));
  const seconds = numberFlag('seconds', values.seconds, 60) ?? 2;
  if (hosts.length < 2) throw new ShardScopeError('bad-input', 'hosts probe needs at least two hosts');
  const workerPath = workerBundlePath();
  const prepared = await prepareRun({
    hosts, worldSize: hosts.length, bundle: workerBundleOf(dirname(workerPath)),
    knownHostsFile: knownHostsFlag(values['known-hosts'], io.env), signal: io.signal,
  });
  try {
    const links = await probeLinks(prepared, { workerPath, seconds, signal: io.signal });
    saveLinks(file, links);
    if (values.json) printJson(io, { links, interNodeBytesPerSecond: interNodeBytesPerSecondOf(links) });
    else links.forEach((l) => printLine(io, `${l.from} <-> ${l.to}: ${formatDuration(l.latencyMs / 1000)}, ${formatBytesPerSecond(l.bytesPerSecond)}`));
    return 0;
  } finally {
    prepared.close();
  }
};
