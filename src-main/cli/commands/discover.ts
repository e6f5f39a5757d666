/** `shardscope discover [--json] [--nvidia-smi PATH] [--host H]... [--ssh-config FILE]`: what do I have? */
import type { HostInventory, Inventory } from '../../../src-shared/inventory.js';
import { describeRuntime } from '../../../src-shared/host-runtime.js';
import { discoverHosts } from '../../core/inventory/discover-hosts.js';
import { createSshRemoteDiscoverer } from '../../core/inventory/remote-discoverer.js';
import { loadSshConfigEntries } from '../../core/ssh/ssh-config-import.js';
import { parseHostSpec } from '../../core/ssh/target.js';
import { formatBytes } from '../../../src-shared/units.js';
import { existingFilesFlag, parseFlags } from '../args.js';
import { discoverSlurmCommand, isSlurmDiscover } from './discover-slurm.js';
import { printJson, printLine, type CliCommand, type CliIo } from '../io.js';


function printHost(io: CliIo, host: HostInventory): void {
  const head = `${host.hostname} (${host.isLocal ? 'local' : host.id})  ${host.os.distro} ${host.os.release} ${host.os.arch}`;
  printLine(io, head);
  if (host.error) printLine(io, `  error: ${host.error.kind}: ${host.error.message}`);
  printLine(io, `  cpu: ${host.cpu.model}, ${host.cpu.physicalCores} cores / ${host.cpu.logicalCores} threads; memory ${formatBytes(host.memoryBytes)}`);
  if (host.runtime) printLine(io, `  runtime: ${describeRuntime(host.runtime)}`);
  if (host.gpuNote) printLine(io, `  gpus: none (${host.gpuNote})`);
  if (host.topologyNote) printLine(io, `  topology: unknown (${host.topologyNote})`);
  printLine(io, '  devices:');
  for (const device of host.devices) {
    const power = device.powerLimitWatts === null ? '' : `  ${device.powerLimitWatts} W`;
    const links = device.links.length > 0 ? `  ${device.links.join(', ')}` : '';
    printLine(io, `    ${device.id.padEnd(6)} ${device.kind.padEnd(4)} ${device.name}  ${formatBytes(device.memoryTotalBytes)}${power}${links}`);
  }
  const nics = host.nics.filter((nic) => !nic.isVirtual).map((nic) => `${nic.name}${nic.ip4 ? ` ${nic.ip4}` : ''}${nic.speedMbps ? ` ${nic.speedMbps} Mb/s` : ''}`);
  if (nics.length > 0) printLine(io, `  nics: ${nics.join('; ')}`);
}

/** Prints the inventory of this machine (and, once core/ssh provides it, of remote hosts). */
export const discoverCommand: CliCommand = async (args, io) => {
  if (isSlurmDiscover(args)) return discoverSlurmCommand(args, io);
  const { values } = parseFlags(args, {
    json: { type: 'boolean' },
    'nvidia-smi': { type: 'string' },
    host: { type: 'string', multiple: true },
    'ssh-config': { type: 'string' },
    identity: { type: 'string', multiple: true },
    'known-hosts': { type: 'string' },
  });
  // Mistyped flags are bad usage (exit 2) before anything is discovered, not a per-host error.
  values.host?.forEach((spec) => parseHostSpec(spec, 'user'));
  existingFilesFlag('identity', values.identity);
  const sshConfigPath = values['ssh-config'];
  // --ssh-config alone discovers every concrete Host of the file; with --host, names are looked up in it.
  // A Host with a bad setting is still listed: it fails alone, with its reason, and the others are discovered.
  const entries = !values.host && sshConfigPath ? loadSshConfigEntries(sshConfigPath) : null;
  const names = values.host ?? (entries ? [...entries.hosts.map((t) => t.id), ...entries.skipped.map((s) => s.alias)] : []);
  const remote = names.map((target) => ({ target, sshConfigPath }));
  const discoverRemote = createSshRemoteDiscoverer({ identityFiles: values.identity, knownHostsFile: values['known-hosts'], env: io.env });
  const inventory: Inventory = await discoverHosts({
    local: true,
    remote,
    discoverRemote,
    nvidiaSmiPath: values['nvidia-smi'],
    env: io.env,
    signal: io.signal,
  });
  if (values.json) printJson(io, inventory);
  else inventory.hosts.forEach((host) => printHost(io, host));
  return inventory.hosts.some((host) => host.status === 'error') ? 1 : 0;
};
