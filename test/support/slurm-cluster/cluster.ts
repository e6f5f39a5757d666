/**
 * A real Slurm cluster on this machine for tests: munged, one slurmctld and one slurmd per node
 * (`slurmd -N nodeX`, each on its own port, Debian's 22.05 build supports several), GPUs declared
 * as gres backed by stand-in character devices, partition `gpu`. `stop()` ends every daemon and
 * every process a job started (found by the cluster's SLURM_CONF in their environment), and an
 * exit hook does the same if a test dies first.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../../src-main/core/launch/free-port.js';
import { writeFakeSmi } from '../ssh-cluster/fake-smi.js';
import { accountingUnavailableReason, createSlurmUser, initAccountingDb, isDbUp, mariadbdArgs, slurmdbdConf, type AccountingDb } from './accounting-db.js';
import { gresConf, slurmConf, type SlurmNodeSpec } from './slurm-conf.js';

/** Shape of the cluster to start. */
export interface SlurmClusterOptions {
  nodeNames?: string[];
  gpusPerNode?: number;
  gpuType?: string;
  cpusPerNode?: number;
  partition?: string;
  /** Recorded `nvidia-smi -q -x` output (relative to the shared fixtures) the nodes' nvidia-smi prints. */
  smiXmlFile?: string;
  /** Keep accounting (slurmdbd + MariaDB, so `sacct` answers): adds ~2-5 s to the start. Default false. */
  withAccounting?: boolean;
}

/** A running cluster. */
export interface SlurmCluster {
  dir: string;
  confPath: string;
  partition: string;
  nodes: SlurmNodeSpec[];
  /** Environment for Slurm clients (and ShardScope) talking to this cluster: SLURM_CONF and PATH with the nodes' nvidia-smi. */
  env: Record<string, string>;
  /** Whether slurmdbd keeps the jobs (sacct works). */
  hasAccounting: boolean;
  /** Runs a Slurm client command (scontrol, squeue ...) against this cluster and returns its stdout. */
  slurm(command: string, args: string[]): string;
  /** Pids of live processes of this cluster's jobs (job steps and their tasks; the daemons and the controller's script helper excluded). */
  jobProcesses(): number[];
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** Why a Slurm cluster cannot be started here, or null when it can. */
export function slurmUnavailableReason(): string | null {
  for (const binary of ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/munged', '/usr/bin/sbatch']) {
    if (!existsSync(binary)) return `${binary} missing: apt-get install slurmctld slurmd slurm-client munge (npm test installs them)`;
  }
  if (!isRoot) return 'slurmd must run as root';
  return null;
}

/** Why a Slurm cluster with accounting (sacct) cannot be started here, or null when it can. */
export function slurmAccountingUnavailableReason(): string | null {
  return slurmUnavailableReason() ?? accountingUnavailableReason();
}

function processesWithEnv(entry: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry);
    } catch {
      return false;
    }
  }).map(Number);
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      killQuietly(child.pid!, 'SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts the cluster and waits until every node is idle. */
export async function startSlurmCluster(options: SlurmClusterOptions = {}): Promise<SlurmCluster> {
  const reason = slurmUnavailableReason();
  if (reason) throw new Error(`cannot start a Slurm cluster: ${reason}`);
  const dir = mkdtempSync(join(tmpdir(), 'ss-slurm-'));
  const partition = options.partition ?? 'gpu';
  const gpusPerNode = options.gpusPerNode ?? 2;
  for (const sub of ['state', 'spool', 'dev', 'bin', 'jobs']) mkdirSync(join(dir, sub), { recursive: true });
  const nodes: SlurmNodeSpec[] = [];
  for (const name of options.nodeNames ?? ['node1', 'node2']) {
    const gpuFiles = Array.from({ length: gpusPerNode }, (_, i) => join(dir, 'dev', `${name}-nvidia${i}`));
    // Stand-ins for /dev/nvidiaN: character devices (1,3 is /dev/null) that slurmd can check and hand out.
    for (const file of gpuFiles) execFileSync('mknod', [file, 'c', '1', '3']);
    nodes.push({ name, port: await findFreePort(), cpus: options.cpusPerNode ?? 4, memoryMiB: 4000, gpuType: options.gpuType ?? 'rtx2080', gpuFiles });
  }
  const mungeSocket = join(dir, 'munge.sock');
  const confPath = join(dir, 'slurm.conf');
  if (options.withAccounting) {
    const reason = accountingUnavailableReason();
    if (reason) throw new Error(`cannot start a Slurm cluster with accounting: ${reason}`);
  }
  const accounting = options.withAccounting ? { db: initAccountingDb(dir, await findFreePort()), dbdPort: await findFreePort() } : null;
  writeFileSync(confPath, slurmConf({ dir, clusterName: `ss${randomBytes(3).toString('hex')}`, controllerPort: await findFreePort(), mungeSocket, nodes, partition, accountingPort: accounting?.dbdPort,
    firstJobId: 1000 + randomBytes(2).readUInt16BE() % 18_000 }));
  if (accounting) writeFileSync(join(dir, 'slurmdbd.conf'), slurmdbdConf({ dir, dbdPort: accounting.dbdPort, mungeSocket, db: accounting.db }), { mode: 0o600 });
  writeFileSync(join(dir, 'gres.conf'), gresConf(nodes));
  writeFileSync(join(dir, 'munge.key'), randomBytes(1024), { mode: 0o400 });
  writeFakeSmi(join(dir, 'bin'), { kind: 'fixture', xmlFile: options.smiXmlFile ?? 'xml/telegraf_2x-rtx-2080_590.44.01_v13.xml', topoFile: null, queryCsvFile: 'query-gpu-csv/nvgpuexp_rtx-2080-super_591.86-windows_idle.csv', replicateGpus: gpusPerNode });

  const env: Record<string, string> = { SLURM_CONF: confPath, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  const daemonEnv = { ...process.env, ...env };
  const children: ChildProcess[] = [];
  const start = (command: string, args: string[]) => {
    const child = spawn(command, args, { env: daemonEnv, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4000); });
    child.once('exit', (code) => {
      if (!isStopping && code !== 0) process.stderr.write(`slurm test cluster: ${command} exited with ${code}: ${stderr}\n`);
    });
    children.push(child);
    return child;
  };
  let isStopping = false;
  const killEverything = () => {
    for (const child of children) if (child.pid) killQuietly(child.pid, 'SIGKILL');
    for (const pid of processesWithEnv(`SLURM_CONF=${confPath}`)) killQuietly(pid, 'SIGKILL');
  };
  process.once('exit', killEverything);

  try {
    return await startDaemons();
  } catch (error) {
    isStopping = true;
    killEverything();
    process.removeListener('exit', killEverything);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  /** MariaDB, then slurmdbd (which creates its tables), waiting until sacctmgr gets an answer. */
  async function startAccounting(db: AccountingDb, isDbdUp: () => boolean): Promise<void> {
    start('/usr/sbin/mariadbd', mariadbdArgs(db, dir));
    await waitFor(() => isDbUp(db), 30_000, 'mariadbd');
    createSlurmUser(db);
    start('/usr/sbin/slurmdbd', ['-D']);
    await waitFor(isDbdUp, 60_000, 'slurmdbd');
  }

  async function startDaemons(): Promise<SlurmCluster> {
    const munged = start('/usr/sbin/munged', ['-F', `--key-file=${join(dir, 'munge.key')}`, `--socket=${mungeSocket}`, `--pid-file=${join(dir, 'munged.pid')}`, `--log-file=${join(dir, 'munged.log')}`, `--seed-file=${join(dir, 'munge.seed')}`, '--force']);
    await waitFor(() => existsSync(mungeSocket), 10_000, 'munged socket');
    const slurmClient = (command: string, args: string[]) => execFileSync(command, args, { env: daemonEnv, encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (accounting) await startAccounting(accounting.db, () => {
      try {
        slurmClient('sacctmgr', ['-n', 'list', 'cluster']);
        return true;
      } catch {
        return false;
      }
    });
    start('/usr/sbin/slurmctld', ['-D', '-i', '-f', confPath]);
    await waitFor(() => {
      try {
        slurmClient('scontrol', ['ping']);
        return true;
      } catch {
        return false;
      }
    }, 20_000, 'slurmctld');
    for (const node of nodes) start('/usr/sbin/slurmd', ['-D', '-f', confPath, '-N', node.name]);
    await waitFor(() => {
      try {
        const states = slurmClient('sinfo', ['-h', '-N', '-o', '%N %T']).trim().split('\n');
        return states.length === nodes.length && states.every((line) => line.endsWith(' idle'));
      } catch {
        return false;
      }
    }, 30_000, 'nodes idle');

    return {
      dir, confPath, partition, nodes, env, hasAccounting: accounting !== null,
      slurm: slurmClient,
      jobProcesses: () => {
        const daemons = new Set(children.map((c) => c.pid));
        // Job processes: slurmstepd and every task (they carry SLURM_JOB_ID); clients such as ShardScope itself do not.
        return processesWithEnv(`SLURM_CONF=${confPath}`).filter((pid) => !daemons.has(pid) && (commOf(pid) === 'slurmstepd' || envOf(pid).some((e) => e.startsWith('SLURM_JOB_ID='))));
      },
      async stop() {
        if (isStopping) return;
        isStopping = true;
        try {
          slurmClient('scancel', ['--full', '--quiet', `--partition=${partition}`]);
        } catch {
          // no jobs, or the controller is already gone
        }
        for (const child of children.filter((c) => c !== munged).reverse()) child.pid && killQuietly(child.pid, 'SIGTERM');
        await Promise.all(children.filter((c) => c !== munged).map((c) => exited(c, 5000)));
        for (const pid of processesWithEnv(`SLURM_CONF=${confPath}`)) killQuietly(pid, 'SIGKILL');
        if (munged.pid) killQuietly(munged.pid, 'SIGTERM');
        await exited(munged, 5000);
        process.removeListener('exit', killEverything);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

function envOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`slurm test cluster: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
