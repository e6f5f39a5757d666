/**
 * `shardscope hosts` sub-commands that reach a host or change its settings:
 * `trust HOST [--fingerprint SHA256:... | --yes] [--known-hosts FILE]` shows the host's key and trusts
 * it into ShardScope's known_hosts (read by the app and the CLI, see known-hosts.ts);
 * `clean HOST... [--hosts FILE]` removes what ShardScope cached there (~/.cache/shardscope: shipped
 * Node.js, worker bundles, data); `set HOST [--node PATH] [--python PATH]` sets a saved host's
 * runtimes ('' clears). HOST is a saved host's id (hosts.json) or `[user@]host[:port]`.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';
import { acceptPresentedKey, presentedHostKey } from '../../core/hosts/host-key-check.js';
import { defaultHostSettingsPath, loadHostSettings, setHostRuntime, targetOfSaved } from '../../core/hosts/host-settings.js';
import { targetOfSpec } from '../../core/inventory/remote-discoverer.js';
import { connectSsh } from '../../core/ssh/connect.js';
import { REMOTE_COMMAND_TIMEOUT_MS } from '../../core/ssh/exec.js';
import { trustFileOf } from '../../core/ssh/known-hosts.js';
import { removeShardScopeCache } from '../../core/ssh/runtime-deploy.js';
import type { RemoteTarget } from '../../core/ssh/target.js';
import { existingFilesFlag, knownHostsFlag, parseFlags } from '../args.js';
import { hostsFileFlag } from '../input-files.js';
import { printJson, printLine, type CliIo } from '../io.js';

const timeoutMs = REMOTE_COMMAND_TIMEOUT_MS;

/** A saved host by id, else a `[user@]host[:port]` spec, with the identities and agent discovery uses. */
function targetOf(spec: string, io: CliIo, identityFiles?: string[]): RemoteTarget {
  const saved = loadHostSettings(defaultHostSettingsPath(io.env)).hosts.find((h) => h.id === spec);
  const base = saved ? targetOfSaved(saved) : targetOfSpec({ target: spec }, { identityFiles, env: io.env });
  return { ...base, ...(identityFiles?.length ? { identityFiles } : {}), agentSocket: base.agentSocket ?? io.env.SSH_AUTH_SOCK ?? '' };
}

/** `hosts trust HOST`: shows the key; trusts it when `--fingerprint` matches it, or with `--yes`. */
export async function hostsTrust(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, { fingerprint: { type: 'string' }, yes: { type: 'boolean' }, 'known-hosts': { type: 'string' }, json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new ShardScopeError('bad-input', 'hosts trust needs one HOST (a saved host id or [user@]host[:port])');
  if (values.fingerprint && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(values.fingerprint)) throw new ShardScopeError('bad-input', `--fingerprint must be an OpenSSH SHA256 fingerprint (SHA256: and 43 characters), got "${values.fingerprint}"`);
  const target = targetOf(positionals[0], io);
  const files = knownHostsFlag(values['known-hosts'], io.env);
  const options = { knownHostsFile: files, timeoutMs, signal: io.signal };
  const presented = await presentedHostKey(target, options);
  if (presented.status === 'refused') throw presented.error;
  const trustFile = trustFileOf(files);
  if (presented.status === 'known') {
    if (values.json) printJson(io, { hostId: target.id, status: 'known' });
    else printLine(io, `host ${target.id}: its key is already trusted`);
    return 0;
  }
  const shown = `host ${target.id} presents ${presented.keyType} ${presented.fingerprint}`;
  if (!values.fingerprint && !values.yes) {
    if (values.json) printJson(io, { hostId: target.id, status: 'unknown', keyType: presented.keyType, fingerprint: presented.fingerprint });
    else {
      printLine(io, shown);
      printLine(io, `not trusted yet: compare it with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_${presented.keyType.replace(/^ssh-/, '').replace(/-.*$/, '')}_key.pub there), then run:`);
      printLine(io, `  shardscope hosts trust ${positionals[0]} --fingerprint ${presented.fingerprint}`);
    }
    return 0;
  }
  if (values.fingerprint && values.fingerprint !== presented.fingerprint) {
    throw new ShardScopeError('host-key-mismatch', `${shown}, not the ${values.fingerprint} you gave — nothing was trusted`);
  }
  await acceptPresentedKey(target, presented.fingerprint, options);
  if (values.json) printJson(io, { hostId: target.id, status: 'trusted', keyType: presented.keyType, fingerprint: presented.fingerprint, knownHostsFile: trustFile });
  else printLine(io, `${shown}: trusted (written to ${trustFile})`);
  return 0;
}

/** `hosts clean HOST... [--hosts FILE]`: removes ~/.cache/shardscope on each host. */
export async function hostsClean(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, { hosts: { type: 'string' }, identity: { type: 'string', multiple: true }, 'known-hosts': { type: 'string' }, json: { type: 'boolean' } }, true);
  const identityFiles = existingFilesFlag('identity', values.identity);
  const targets = positionals.map((spec) => targetOf(spec, io, identityFiles));
  if (values.hosts) {
    for (const h of hostsFileFlag(values.hosts, io.env)) {
      if (h.kind === 'remote') targets.push({ ...h.target, agentSocket: io.env.SSH_AUTH_SOCK ?? '' });
    }
  }
  if (targets.length === 0) throw new ShardScopeError('bad-input', 'hosts clean needs HOST... or --hosts FILE');
  const knownHostsFile = knownHostsFlag(values['known-hosts'], io.env);
  let failed = 0;
  const results: Array<{ hostId: string; dir?: string; removedBytes?: number; error?: string }> = [];
  for (const target of targets) {
    try {
      const connection = await connectSsh(target, { knownHostsFile, timeoutMs, signal: io.signal });
      try {
        const removed = await removeShardScopeCache(connection, io.signal);
        results.push({ hostId: target.id, ...removed });
        if (!values.json) printLine(io, `host ${target.id}: removed ${removed.dir} (${(removed.removedBytes / 2 ** 20).toFixed(1)} MiB)`);
      } finally {
        connection.close();
      }
    } catch (error) {
      if (!(error instanceof ShardScopeError)) throw error;
      failed += 1;
      results.push({ hostId: target.id, error: error.message });
      if (!values.json) io.stderr.write(`${error.message}\n`);
    }
  }
  if (values.json) printJson(io, results);
  return failed > 0 ? 1 : 0;
}

/** `hosts set HOST [--node PATH] [--python PATH]`: a saved host's runtime settings ('' clears one). */
export async function hostsSet(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, { node: { type: 'string' }, python: { type: 'string' } }, true);
  if (positionals.length !== 1 || (values.node === undefined && values.python === undefined)) {
    throw new ShardScopeError('bad-input', 'hosts set needs one saved HOST and --node PATH and/or --python PATH (\'\' clears)');
  }
  const file = defaultHostSettingsPath(io.env);
  const settings = setHostRuntime(file, positionals[0], { node: values.node, python: values.python });
  const host = settings.hosts.find((h) => h.id === positionals[0])!;
  printLine(io, `host ${host.id}: node ${host.node ?? '(PATH, else shipped)'}, python ${host.python ?? '(PATH)'}`);
  return 0;
}
