/** Imports hosts from an OpenSSH client config (`~/.ssh/config`) with the maintained `ssh-config` parser. */
import { homedir, userInfo } from 'node:os';
import SSHConfig from 'ssh-config';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { readInputFile } from '../files/read-input-file.js';
import { parseHostSpec, parsePort, type RemoteTarget } from './target.js';

type Computed = Record<string, string | string[] | undefined>;

/** The hosts of an ssh config that resolve, and the ones left out with the reason (a bad Port drops that Host only). */
export interface SshConfigHosts {
  hosts: RemoteTarget[];
  skipped: { alias: string; reason: string }[];
}

/** Every concrete `Host` alias of the file (no wildcards or negations), resolved like `ssh -G` would; hosts that do not resolve are skipped. */
export function loadSshConfigHosts(file: string): RemoteTarget[] {
  return loadSshConfigEntries(file).hosts;
}

/** The file's hosts and, apart, those that do not resolve with their one-line reason. */
export function loadSshConfigEntries(file: string): SshConfigHosts {
  return parseSshConfigEntries(readInputFile(file, 'ssh config'), file);
}

/** Same as loadSshConfigHosts, from text (`file` is only used in messages). */
export function parseSshConfigHosts(text: string, file = 'ssh config'): RemoteTarget[] {
  return parseSshConfigEntries(text, file).hosts;
}

/** Same as loadSshConfigEntries, from text; a file that cannot be parsed at all is `bad-input`. */
export function parseSshConfigEntries(text: string, file = 'ssh config'): SshConfigHosts {
  let config: SSHConfig;
  try {
    config = SSHConfig.parse(text);
  } catch (error) {
    throw new ShardScopeError('bad-input', `cannot parse ${file}: ${(error as Error).message}`);
  }
  const aliases: string[] = [];
  for (const line of config) {
    if (!('param' in line) || line.param.toLowerCase() !== 'host') continue;
    const values = Array.isArray(line.value) ? line.value.map((v) => v.val) : line.value.split(/\s+/);
    for (const alias of values) if (alias && !/[*?!]/.test(alias) && !aliases.includes(alias)) aliases.push(alias);
  }
  const result: SshConfigHosts = { hosts: [], skipped: [] };
  for (const alias of aliases) {
    try {
      result.hosts.push(resolveAlias(config, alias, file, 0));
    } catch (error) {
      if (!(error instanceof ShardScopeError)) throw error;
      result.skipped.push({ alias, reason: error.message });
    }
  }
  return result;
}

function resolveAlias(config: SSHConfig, alias: string, file: string, depth: number): RemoteTarget {
  const computed = config.compute(alias) as Computed;
  const first = (key: string): string | undefined => {
    const value = computed[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const all = (key: string): string[] => {
    const value = computed[key];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  const host = expandTokens(first('HostName') ?? alias, alias);
  const target: RemoteTarget = {
    id: alias,
    host,
    port: parsePort(first('Port'), `${file} Host ${alias}`),
    user: first('User') ?? userInfo().username,
  };
  const identityFiles = all('IdentityFile').map((f) => expandPath(expandTokens(f, alias, host)));
  if (identityFiles.length > 0) target.identityFiles = identityFiles;
  const jump = first('ProxyJump');
  if (jump && jump.toLowerCase() !== 'none') target.proxyJump = resolveJump(config, jump, alias, file, depth);
  if (first('ProxyCommand')) {
    throw new ShardScopeError('bad-input', `${file} Host ${alias}: ProxyCommand is not supported — use ProxyJump with one jump host`);
  }
  return target;
}

function resolveJump(config: SSHConfig, jump: string, alias: string, file: string, depth: number): RemoteTarget {
  if (jump.includes(',') || depth > 0) {
    throw new ShardScopeError('bad-input', `${file} Host ${alias}: ProxyJump through more than one host (${jump}) is not supported — use one jump host`);
  }
  const spec = parseHostSpec(jump.replace(/^ssh:\/\//, ''));
  const hasExplicitUser = jump.includes('@');
  const hasExplicitPort = /:\d+$/.test(jump);
  const viaConfig = resolveAlias(config, spec.host, file, depth + 1);
  return {
    ...viaConfig,
    id: jump,
    user: hasExplicitUser ? spec.user : viaConfig.user,
    port: hasExplicitPort ? spec.port : viaConfig.port,
  };
}

function expandTokens(value: string, alias: string, host = alias): string {
  return value.replace(/%([%hnu])/g, (_, token: string) => (token === '%' ? '%' : token === 'h' ? host : token === 'n' ? alias : userInfo().username));
}

function expandPath(path: string): string {
  return path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
}
