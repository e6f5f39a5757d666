/** Network namespaces for the SSH test cluster: a bridge in the root namespace, one veth per host. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';

/** Runs `ip` with arguments and returns its stdout; throws with stderr on failure. */
export function ip(args: string[]): string {
  return execFileSync('/usr/sbin/ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Same as `ip` but ignores failures (used in teardown where a part may already be gone). */
export function ipQuiet(args: string[]): void {
  try { ip(args); } catch { /* already gone */ }
}

/** A /24 in 10.233.0.0/16 reserved for one cluster; the bridge gets .1, hosts get .2, .3, ... */
export interface Subnet { prefix: string; octet: number }

const lockDir = '/tmp/shardscope-ssh-cluster.lock';

/** Picks a free 10.233.N.0/24 (not on any interface) under a cross-process lock and runs `claim` on it. */
export function withFreeSubnet<T>(claim: (subnet: Subnet) => T): T {
  acquireLock();
  try {
    const used = ip(['-o', '-4', 'addr', 'show']);
    for (let n = 0; n < 256; n += 1) {
      const octet = (process.pid + n) % 250 + 1;
      const prefix = `10.233.${octet}`;
      if (!used.includes(` ${prefix}.`)) return claim({ prefix, octet });
    }
    throw new Error('ssh-cluster: no free 10.233.N.0/24 subnet left');
  } finally {
    releaseLock();
  }
}

function acquireLock(): void {
  const deadlineMs = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(`${lockDir}/pid`, String(process.pid));
      return;
    } catch {
      if (isStaleLock()) { try { rmdirOrFile(); } catch { /* raced */ } continue; }
      if (Date.now() > deadlineMs) throw new Error(`ssh-cluster: lock ${lockDir} held too long`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // short spin on a cross-process lock
    }
  }
}

function isStaleLock(): boolean {
  try {
    const pid = Number(readFileSync(`${lockDir}/pid`, 'utf8'));
    if (!pid) return Date.now() - statSync(lockDir).mtimeMs > 5000;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function rmdirOrFile(): void {
  try { execFileSync('rm', ['-f', `${lockDir}/pid`]); } catch { /* ignore */ }
  rmdirSync(lockDir);
}

function releaseLock(): void {
  try { rmdirOrFile(); } catch { /* ignore */ }
}

/** Creates the cluster bridge with address prefix.1/24. */
export function createBridge(bridge: string, subnet: Subnet): void {
  ip(['link', 'add', bridge, 'type', 'bridge']);
  ip(['addr', 'add', `${subnet.prefix}.1/24`, 'dev', bridge]);
  ip(['link', 'set', bridge, 'up']);
}

/** Creates namespace `ns` wired to the bridge by veth `hostSide` with `address`/24 inside. */
export function createHostNamespace(ns: string, hostSide: string, bridge: string, address: string, subnet: Subnet): void {
  const inside = `${hostSide}n`;
  ip(['netns', 'add', ns]);
  ip(['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', inside]);
  ip(['link', 'set', inside, 'netns', ns]);
  ip(['link', 'set', hostSide, 'master', bridge]);
  ip(['link', 'set', hostSide, 'up']);
  ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', inside]);
  ip(['-n', ns, 'link', 'set', inside, 'up']);
  ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  ip(['-n', ns, 'route', 'add', 'default', 'via', `${subnet.prefix}.1`]);
}

/** Pids of every process living in namespace `ns`. */
export function namespacePids(ns: string): number[] {
  try {
    return ip(['netns', 'pids', ns]).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Deletes a namespace and its veth (the peer goes with it). */
export function deleteHostNamespace(ns: string, hostSide: string): void {
  ipQuiet(['link', 'del', hostSide]);
  ipQuiet(['netns', 'del', ns]);
}
