/**
 * Telemetry of a job's nodes without touching them outside the job: `srun --overlap` steps inside
 * the allocation, a task per node, lines labelled with the task id (`--label`) and so with the node:
 * one runs the streaming `nvidia-smi --query-gpu` (GPU samples), one the /proc loop of the SSH
 * sampler (CPU, memory, network; CPU power from RAPL where readable). Samples are `measured` (CPU
 * power as its tracker says), attributed to the node (host id = node name) and to the run.
 */
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import { procLoopScript, ProcLoopParser, RemoteHostRates } from '../telemetry/remote-proc-parse.js';
import { gpuQueryArgs, LineSplitter, parseGpuQueryLine } from '../telemetry/smi-query-parse.js';
import type { SlurmShell, SlurmStream } from './slurm-shell.js';

/** What to sample. */
export interface SlurmSamplerOptions {
  shell: SlurmShell;
  jobId: string;
  /** The job's nodes in allocation order (task t runs on nodes[t]). */
  nodes: string[];
  gpusPerNode: number;
  intervalMs: number;
  nvidiaSmi?: string;
  onBatch: (batch: TelemetryBatch) => void;
}

/** A running sampler step. */
export interface SlurmSampler {
  stop(): void;
}

type StepOptions = Pick<SlurmSamplerOptions, 'jobId' | 'nodes' | 'gpusPerNode' | 'intervalMs' | 'nvidiaSmi'>;

function stepArgv(options: StepOptions, gres: boolean, command: string[]): string[] {
  return [
    'srun', '--overlap', `--jobid=${options.jobId}`, `--nodes=${options.nodes.length}`, '--ntasks-per-node=1', `--nodelist=${options.nodes.join(',')}`,
    '--label', '--quiet', '--job-name=shardscope-sampler', ...(gres && options.gpusPerNode > 0 ? [`--gres=gpu:${options.gpusPerNode}`] : []),
    ...command,
  ];
}

/** The GPU sampler step's command line. */
export function samplerStepArgv(options: StepOptions): string[] {
  return stepArgv(options, true, [options.nvidiaSmi ?? 'nvidia-smi', ...gpuQueryArgs(options.intervalMs)]);
}

/** The host (/proc) sampler step's command line. */
export function hostSamplerStepArgv(options: StepOptions): string[] {
  return stepArgv(options, false, ['sh', '-c', procLoopScript(Math.max(0.05, options.intervalMs / 1000))]);
}

/** Follows a labelled step's output, line by line, with the node each line came from. */
function followLabelled(stream: SlurmStream, nodes: string[], onLine: (node: string, line: string) => void): void {
  const splitter = new LineSplitter();
  stream.stdout.setEncoding('utf8');
  stream.stdout.on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) {
      const labelled = /^\s*(\d+): ?(.*)$/.exec(line);
      const node = labelled ? nodes[Number(labelled[1])] : undefined;
      if (labelled && node) onLine(node, labelled[2]);
    }
  });
}

/** Starts the sampler step; batches go out once per interval. */
export function startSlurmSampler(options: SlurmSamplerOptions): SlurmSampler {
  const gpuStep: SlurmStream = options.shell.stream(samplerStepArgv(options));
  const hostStep: SlurmStream = options.shell.stream(hostSamplerStepArgv(options));
  let batch: TelemetryBatch = { hosts: [], gpus: [], notices: [] };
  const flush = () => {
    if (batch.gpus.length === 0 && batch.hosts.length === 0 && batch.notices.length === 0) return;
    options.onBatch(batch);
    batch = { hosts: [], gpus: [], notices: [] };
  };
  followLabelled(gpuStep, options.nodes, (node, line) => {
    const parsed = parseGpuQueryLine(line, node, Date.now());
    if (parsed.ok) batch.gpus.push(parsed.sample);
    else batch.notices.push({ hostId: node, timestampMs: Date.now(), message: `nvidia-smi in the job's sampler step: ${parsed.reason}` });
  });
  const perNode = new Map(options.nodes.map((node) => [node, { parser: new ProcLoopParser(), rates: new RemoteHostRates(node, null) }]));
  followLabelled(hostStep, options.nodes, (node, line) => {
    const state = perNode.get(node)!;
    const frame = state.parser.pushLine(line);
    const sample = frame ? state.rates.next(frame, Date.now()) : null;
    if (sample) batch.hosts.push(sample);
  });
  const timer = setInterval(flush, options.intervalMs);
  return {
    stop() {
      clearInterval(timer);
      flush();
      gpuStep.stop();
      hostStep.stop();
    },
  };
}
