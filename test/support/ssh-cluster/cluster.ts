/** A test cluster of real OpenSSH servers, one per network namespace, each with its own nvidia-smi fixture. */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RemoteTarget } from '../../../src-main/core/ssh/target.js';
import { generateKey } from './keys.js';
import { writeFakeSmi, type SmiBehaviour } from './fake-smi.js';
import { createBridge, createHostNamespace, deleteHostNamespace, ip, ipQuiet, namespacePids, withFreeSubnet } from './netns.js';
import { startSshd, writeSshdConfig } from './sshd.js';
import { createTestUser, deleteTestUser, removeStaleTestUsers } from './test-user.js';

/** What one host of the cluster should look like. */
export interface ClusterHostSpec {
  name: string;
  smi: SmiBehaviour;
  /** Node.js on the host's PATH: present (default), `missing`, or a stand-in answering `--version` with an old version. */
  node?: 'missing' | { reportVersion: string };
  /** Stand-ins for `uname -sm` and `ldd --version` of a host of another platform (a musl text goes to stderr, exit 1, like musl's ldd). */
  platform?: { unameSm: string; lddVersion: string };
}

/** One running host: its address, namespace and host key files. */
export interface ClusterHost {
  name: string;
  address: string;
  port: number;
  namespace: string;
  hostKeyFile: string;
  hostPublicKeyFile: string;
  smi: SmiBehaviour;
}

/** A running cluster; `stop()` removes everything it made. */
export interface SshCluster {
  dir: string;
  hosts: ClusterHost[];
  /** The unprivileged test user, authorized with `clientKeyFile` and `password`. */
  user: string;
  password: string;
  clientKeyFile: string;
  /** A key the hosts do not know. */
  strangerKeyFile: string;
  /** A passphrase-protected key the hosts know; its passphrase is `keyPassphrase`. */
  protectedKeyFile: string;
  keyPassphrase: string;
  /** A known_hosts file listing every host's key (`[address]:port` form). */
  knownHostsFile: string;
  /** An address in the cluster subnet where nothing answers. */
  deadAddress: string;
  host(name: string): ClusterHost;
  dropLink(name: string): void;
  restoreLink(name: string): void;
  stop(): Promise<void>;
}

/** Three GPU hosts with different real fixtures: 1x A100, 1x RTX 4090, 2x RTX 2080. */
export const defaultHostSpecs: ClusterHostSpec[] = [
  { name: 'gpu-a100', smi: { kind: 'fixture', xmlFile: 'xml/telegraf_a100-sxm4-80gb_535.54.03_v12.xml', topoFile: 'topo/nvgpuexp_h100_590.48.01_topo-m_single-gpu.txt' } },
  { name: 'gpu-4090', smi: { kind: 'fixture', xmlFile: 'xml/netdata_rtx-4090_535.86.05_v12.xml', topoFile: 'topo/nvgpuexp_h100_590.48.01_topo-m_single-gpu.txt' } },
  { name: 'gpu-2x2080', smi: { kind: 'fixture', xmlFile: 'xml/telegraf_2x-rtx-2080_590.44.01_v13.xml', topoFile: 'topo/mleng_2gpu_PHB_topo-m_tab-expanded.txt' } },
];

/** Starts the cluster (root only). On any failure everything made so far is removed before rethrowing. */
export async function startSshCluster(specs: ClusterHostSpec[] = defaultHostSpecs): Promise<SshCluster> {
  if (process.getuid?.() !== 0) throw new Error('ssh-cluster: needs root (network namespaces, sshd, a test user)');
  removeStaleClusters();
  removeStaleTestUsers();
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-ssh-cluster-'));
  chmodSync(dir, 0o755); // the test user must reach its home and the fixtures' wrappers
  const tag = `s${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 2).toString(36)}`.slice(0, 8);
  const bridge = `${tag}br`;
  const children: ChildProcess[] = [];
  const hosts: ClusterHost[] = [];
  const made = { pid: process.pid, bridgeName: bridge, bridge: false, namespaces: [] as Array<{ ns: string; veth: string }>, user: null as string | null };
  // What this cluster made, so a later run can clean up if this process is killed before stop().
  const record = (): void => writeFileSync(join(dir, 'owner.json'), JSON.stringify(made));

  const stop = async (): Promise<void> => {
    for (const child of children) child.kill('SIGKILL');
    for (const { ns } of made.namespaces) for (const pid of namespacePids(ns)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    for (const { ns, veth } of made.namespaces) deleteHostNamespace(ns, veth);
    if (made.bridge) ipQuiet(['link', 'del', bridge]);
    if (made.user) deleteTestUser(made.user);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation dir
    const clientKeyFile = join(dir, 'client_key');
    const strangerKeyFile = join(dir, 'stranger_key');
    const protectedKeyFile = join(dir, 'protected_key');
    const keyPassphrase = `pass ${tag} 'quoted'`;
    generateKey(clientKeyFile, 'shardscope-test-client');
    generateKey(strangerKeyFile, 'shardscope-test-stranger');
    generateKey(protectedKeyFile, 'shardscope-test-protected', keyPassphrase);
    const authorizedKeysFile = join(dir, 'authorized_keys');
    writeFileSync(authorizedKeysFile, readFileSync(`${clientKeyFile}.pub`, 'utf8') + readFileSync(`${protectedKeyFile}.pub`, 'utf8'), { mode: 0o644 });

    const password = `pw-${tag}-${Math.random().toString(36).slice(2, 10)}`;
    const user = `sstest${process.pid}`;
    const home = join(dir, 'home');
    mkdirSync(home, { mode: 0o755 });
    createTestUser(user, home, password);
    made.user = user;
    record();
    const { uid, gid } = userIds(user);
    chownSync(home, uid, gid);

    const subnet = withFreeSubnet((s) => { createBridge(bridge, s); made.bridge = true; record(); return s; });
    const knownLines: string[] = [];
    for (const [i, spec] of specs.entries()) {
      const ns = `${tag}h${i}`;
      const veth = `${tag}v${i}`;
      const address = `${subnet.prefix}.${i + 2}`;
      createHostNamespace(ns, veth, bridge, address, subnet);
      made.namespaces.push({ ns, veth });
      record();
      const hostDir = join(dir, 'hosts', spec.name);
      mkdirSync(hostDir, { recursive: true, mode: 0o755 });
      const hostKeyFile = join(hostDir, 'ssh_host_ed25519_key');
      generateKey(hostKeyFile, `host-${spec.name}`);
      const binDir = join(hostDir, 'bin');
      writeFakeSmi(binDir, spec.smi);
      const sessionPath = writeNodeVariant(hostDir, binDir, spec.node);
      if (spec.platform) writePlatformStandIns(binDir, spec.platform);
      const configFile = join(hostDir, 'sshd_config');
      const settings = { namespace: ns, address, port: 22, configFile, hostKeyFile, authorizedKeysFile, sessionPath };
      writeSshdConfig(settings);
      children.push(await startSshd(settings));
      hosts.push({ name: spec.name, address, port: 22, namespace: ns, hostKeyFile, hostPublicKeyFile: `${hostKeyFile}.pub`, smi: spec.smi });
      knownLines.push(`${address} ${readFileSync(`${hostKeyFile}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')}`);
    }
    const knownHostsFile = join(dir, 'known_hosts');
    writeFileSync(knownHostsFile, `${knownLines.join('\n')}\n`);

    const host = (name: string): ClusterHost => {
      const found = hosts.find((h) => h.name === name);
      if (!found) throw new Error(`ssh-cluster: no host ${name}`);
      return found;
    };
    const vethOf = (name: string): string => made.namespaces[hosts.indexOf(host(name))].veth;
    return {
      dir, hosts, user, password, clientKeyFile, strangerKeyFile, protectedKeyFile, keyPassphrase, knownHostsFile,
      deadAddress: `${subnet.prefix}.250`,
      host,
      dropLink: (name) => { ip(['link', 'set', vethOf(name), 'down']); },
      restoreLink: (name) => { ip(['link', 'set', vethOf(name), 'up']); },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Removes clusters whose owning test process died without calling stop() (owner.json in their dir). */
function removeStaleClusters(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('shardscope-ssh-cluster-')) continue;
    const dir = join(tmpdir(), name);
    let owner: { pid: number; bridgeName: string; namespaces: Array<{ ns: string; veth: string }>; user: string | null };
    try { owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')); } catch { continue; }
    if (isAlive(owner.pid)) continue;
    for (const { ns } of owner.namespaces) for (const pid of namespacePids(ns)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    for (const { ns, veth } of owner.namespaces) deleteHostNamespace(ns, veth);
    ipQuiet(['link', 'del', owner.bridgeName]);
    if (owner.user) deleteTestUser(owner.user);
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (error) { return (error as NodeJS.ErrnoException).code === 'EPERM'; }
}

function userIds(user: string): { uid: number; gid: number } {
  const id = (flag: string): number => Number(execFileSync('/usr/bin/id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A RemoteTarget for a cluster host as the test user with the authorized key (no agent), with overrides. */
export function clusterTarget(cluster: SshCluster, name: string, overrides: Partial<RemoteTarget> = {}): RemoteTarget {
  const host = cluster.host(name);
  return { id: name, host: host.address, port: host.port, user: cluster.user, identityFiles: [cluster.clientKeyFile], agentSocket: '', ...overrides };
}

/** Applies a host's Node.js variant; returns the session PATH. `missing`: a PATH of links to every system tool but node. */
function writeNodeVariant(hostDir: string, binDir: string, node: ClusterHostSpec['node']): string {
  if (node === undefined) return `${binDir}:/usr/local/bin:/usr/bin:/bin`;
  if (node === 'missing') {
    const toolsDir = join(hostDir, 'tools');
    mkdirSync(toolsDir, { mode: 0o755 });
    for (const dir of ['/usr/local/bin', '/usr/bin']) {
      for (const name of readdirSync(dir)) {
        if (name === 'node' || name === 'nodejs' || name === 'npm' || name === 'npx' || name === 'corepack') continue;
        try { symlinkSync(join(dir, name), join(toolsDir, name)); } catch { /* listed in both */ }
      }
    }
    return `${binDir}:${toolsDir}`;
  }
  writeFileSync(join(binDir, 'node'), `#!/bin/sh\n# stand-in for an old Node.js: reports ${node.reportVersion}\nif [ "$1" = --version ]; then echo ${shellQuoteWord(node.reportVersion)}; exit 0; fi\nexec /usr/bin/node "$@"\n`, { mode: 0o755 });
  return `${binDir}:/usr/local/bin:/usr/bin:/bin`;
}

/** `uname` and `ldd` in the host's bin dir (first on its PATH) that answer like another platform; other calls go to the real tools. */
function writePlatformStandIns(binDir: string, platform: NonNullable<ClusterHostSpec['platform']>): void {
  writeFileSync(join(binDir, 'uname'), `#!/bin/sh\n# stand-in: a host of another platform\nif [ "$1" = -sm ]; then echo ${shellQuoteWord(platform.unameSm)}; exit 0; fi\nexec /usr/bin/uname "$@"\n`, { mode: 0o755 });
  const isMusl = /musl/i.test(platform.lddVersion);
  const answer = `printf '%s\\n' ${shellQuoteWord(platform.lddVersion)}${isMusl ? ' >&2; exit 1' : '; exit 0'}`;
  writeFileSync(join(binDir, 'ldd'), `#!/bin/sh\n# stand-in: a host of another C library\nif [ "$1" = --version ]; then ${answer}; fi\nexec /usr/bin/ldd "$@"\n`, { mode: 0o755 });
}

function shellQuoteWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
