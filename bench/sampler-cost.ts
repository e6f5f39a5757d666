// CPU cost of sampling 8 GPUs at 2 Hz (query stream + dmon PCIe + NVLink poll + host counters), as % of one core,
// locally and over one SSH host of the test cluster; goal < 2% per 8 GPUs.
// Peer measured in the same run: the same Node process idle for the same time (the floor of any sampler).
// The nvidia-smi stand-in is a Node script (~40 ms of CPU per start, ~1 ms per tick) where the real tool is C:
// its CPU is counted separately and not charged to the sampler.
// Run (root, for the SSH cluster): node --import tsx bench/sampler-cost.ts [--seconds N] [--json]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { startHostSampler, type HostSampler, type HostSamplerTarget } from '../src-main/core/telemetry/host-sampler.js';
import type { TelemetryBatch } from '../src-shared/telemetry.js';
import { fakeNvidiaSmiPath, fixture } from '../test/support/fake-nvidia-smi/fixtures.js';
import { clusterTarget, startSshCluster, type SshCluster } from '../test/support/ssh-cluster/index.js';

const secondsFlag = process.argv.indexOf('--seconds');
const seconds = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 20;
const intervalMs = 500;
const gpus = 8;
const queryCsv = 'query-gpu-csv/nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv';
const dmonFile = new URL('../test/fixtures/nvidia-smi/h200-sxm-141gb_dmon-s-t.txt', import.meta.url).pathname;
const nvlinkFile = 'dmon-nvlink/llmaction_h800_nvlink-i0-gt-d_training.txt';
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds of a process (own + waited-for children) from /proc/<pid>/stat; 0 when it is gone. */
function procCpuSeconds(pid: number | 'self'): { own: number; children: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // fields 14-17 (1-based) = utime stime cutime cstime; after the comm field they start at index 11
    return { own: (f[11] + f[12]) / ticksPerSecond, children: (f[13] + f[14]) / ticksPerSecond };
  } catch {
    return { own: 0, children: 0 };
  }
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (cpuSeconds: number, wallSeconds: number) => (100 * cpuSeconds) / wallSeconds;

async function idlePeer(): Promise<number> {
  const before = process.cpuUsage();
  const start = performance.now();
  await wait(seconds * 1000);
  const used = process.cpuUsage(before);
  return pct((used.user + used.system) / 1e6, (performance.now() - start) / 1000);
}

/** Runs a sampler for `seconds`; returns our process's CPU and the samples it produced. */
async function measure(target: HostSamplerTarget, hooks: { onStart?: (sampler: HostSampler) => void; onWarm?: () => void; onEnd?: () => void } = {}) {
  let gpuSamples = 0;
  let warm!: () => void;
  const isWarm = new Promise<void>((r) => { warm = r; });
  const sampler = startHostSampler(target, {
    intervalMs,
    onBatch: (b: TelemetryBatch) => { gpuSamples += b.gpus.length; if (b.gpus.some((g) => g.pcieRxBytesPerSecond !== undefined)) warm(); },
  });
  hooks.onStart?.(sampler);
  await isWarm; // connection, probe and stream start-up are not steady-state cost
  hooks.onWarm?.();
  const before = process.cpuUsage();
  const samplesBefore = gpuSamples;
  const start = performance.now();
  await wait(seconds * 1000);
  hooks.onEnd?.();
  const used = process.cpuUsage(before);
  const wallSeconds = (performance.now() - start) / 1000;
  await sampler.stop();
  return { wallSeconds, ourPercent: pct((used.user + used.system) / 1e6, wallSeconds), gpuSamplesPerSecond: (gpuSamples - samplesBefore) / wallSeconds };
}

/** What a sampler process is, by its command line (the loops are `sh -c` scripts that name what they poll). */
function kindOf(cmd: string): string {
  if (cmd.startsWith('sh ') || cmd.startsWith('/bin/sh ')) {
    if (cmd.includes('nvlink')) return 'nvlink loop (incl. stand-in starts)';
    if (cmd.includes('query-compute-apps')) return 'compute-apps loop (incl. stand-in starts, ps)';
    if (cmd.includes('/proc/stat')) return 'shell /proc loop';
  }
  if (cmd.includes('fake-nvidia-smi')) return 'stand-in';
  if (cmd.startsWith('sshd') || cmd.includes('/sshd')) return 'sshd';
  return 'other';
}

/** CPU seconds (own + reaped children) of each process in these process groups, by kind, keyed by pid. */
function groupCpu(pgids: readonly number[]): Map<number, { kind: string; seconds: number }> {
  const groups = new Set(pgids);
  const out = new Map<number, { kind: string; seconds: number }>();
  for (const entry of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!groups.has(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]))) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const cpu = procCpuSeconds(Number(entry));
      out.set(Number(entry), { kind: kindOf(cmd), seconds: cpu.own + cpu.children });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function byKindPercent(startCpu: Map<number, { kind: string; seconds: number }>, endCpu: Map<number, { kind: string; seconds: number }>, wallSeconds: number): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const [pid, end] of endCpu) byKind[end.kind] = (byKind[end.kind] ?? 0) + end.seconds - (startCpu.get(pid)?.seconds ?? 0);
  return Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, pct(v, wallSeconds)]));
}

async function local() {
  const env = {
    ...process.env, FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', queryCsv.split('/')[1]), FAKE_SMI_REPLICATE_GPUS: String(gpus),
    FAKE_SMI_DMON: dmonFile, FAKE_SMI_NVLINK: fixture('dmon-nvlink', nvlinkFile.split('/')[1]),
  };
  // The sampler's processes here are its script groups (the same scripts as over SSH): measured per process, like the host side remotely.
  let startCpu = new Map<number, { kind: string; seconds: number }>();
  let endCpu = new Map<number, { kind: string; seconds: number }>();
  let sampler: HostSampler | null = null;
  const r = await measure({ kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env }, {
    onStart: (s) => { sampler = s; },
    onWarm: () => { startCpu = groupCpu(sampler!.processIds); },
    onEnd: () => { endCpu = groupCpu(sampler!.processIds); },
  });
  return { ...r, localPercentByKind: byKindPercent(startCpu, endCpu, r.wallSeconds) };
}

/** CPU seconds of every process in a namespace by kind (own + reaped children), keyed by pid. */
function namespaceCpu(cluster: SshCluster, name: string): Map<number, { kind: string; seconds: number }> {
  const out = new Map<number, { kind: string; seconds: number }>();
  const pids = execFileSync('/usr/sbin/ip', ['netns', 'pids', cluster.host(name).namespace], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number);
  for (const pid of pids) {
    let cmd = '';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { continue; }
    const cpu = procCpuSeconds(pid);
    out.set(pid, { kind: kindOf(cmd), seconds: cpu.own + cpu.children });
  }
  return out;
}

async function remote() {
  const cluster = await startSshCluster([{ name: 'gpu8', smi: { kind: 'fixture', xmlFile: 'xml/telegraf_a100-sxm4-80gb_535.54.03_v12.xml', topoFile: null, queryCsvFile: queryCsv, dmonFile, nvlinkFile, replicateGpus: gpus } }]);
  try {
    let startCpu = new Map<number, { kind: string; seconds: number }>();
    let endCpu = new Map<number, { kind: string; seconds: number }>();
    const target: HostSamplerTarget = { kind: 'ssh', target: clusterTarget(cluster, 'gpu8'), knownHostsFile: cluster.knownHostsFile };
    const r = await measure(target, { onWarm: () => { startCpu = namespaceCpu(cluster, 'gpu8'); }, onEnd: () => { endCpu = namespaceCpu(cluster, 'gpu8'); } });
    return { ...r, remotePercentByKind: byKindPercent(startCpu, endCpu, r.wallSeconds) };
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
const localResult = await local();
let remoteResult: Awaited<ReturnType<typeof remote>> | { skipped: string };
try {
  remoteResult = await remote();
} catch (error) {
  remoteResult = { skipped: (error as Error).message };
}
const idlePercent = await idlePeer(); // after the runs, so module loading and JIT warm-up are not in it
const report = { bench: `sampler-cost: ${gpus} GPUs at ${1000 / intervalMs} Hz`, seconds, idlePeerPercent: idlePercent, local: localResult, remote: remoteResult, goalPercent: 2 };
if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2));
else console.log(report);
}

main().catch((error) => { console.error(error); process.exitCode = 1; });
