/**
 * GPU telemetry of a job's nodes without touching them outside the job: one `srun --overlap`
 * step inside the allocation, a task per node running the streaming `nvidia-smi --query-gpu`,
 * its lines labelled with the task id (`--label`) and so with the node. Samples are `measured`,
 * attributed to the node (host id = node name) and to the run.
 */
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
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

/** The sampler step's command line. */
export function samplerStepArgv(options: Pick<SlurmSamplerOptions, 'jobId' | 'nodes' | 'gpusPerNode' | 'intervalMs' | 'nvidiaSmi'>): string[] {
  return [
    'srun', '--overlap', `--jobid=${options.jobId}`, `--nodes=${options.nodes.length}`, '--ntasks-per-node=1', `--nodelist=${options.nodes.join(',')}`,
    '--label', '--quiet', '--job-name=shardscope-sampler', ...(options.gpusPerNode > 0 ? [`--gres=gpu:${options.gpusPerNode}`] : []),
    options.nvidiaSmi ?? 'nvidia-smi', ...gpuQueryArgs(options.intervalMs),
  ];
}

/** Starts the sampler step; batches go out once per interval. */
export function startSlurmSampler(options: SlurmSamplerOptions): SlurmSampler {
  const stream: SlurmStream = options.shell.stream(samplerStepArgv(options));
  const splitter = new LineSplitter();
  let batch: TelemetryBatch = { hosts: [], gpus: [], notices: [] };
  const flush = () => {
    if (batch.gpus.length === 0 && batch.notices.length === 0) return;
    options.onBatch(batch);
    batch = { hosts: [], gpus: [], notices: [] };
  };
  stream.stdout.setEncoding('utf8');
  stream.stdout.on('data', (chunk: string) => {
    for (const line of splitter.push(chunk)) {
      const labelled = /^\s*(\d+):\s?(.*)$/.exec(line);
      const node = labelled ? options.nodes[Number(labelled[1])] : undefined;
      if (!labelled || !node) continue;
      const parsed = parseGpuQueryLine(labelled[2], node, Date.now());
      if (parsed.ok) batch.gpus.push(parsed.sample);
      else batch.notices.push({ hostId: node, timestampMs: Date.now(), message: `nvidia-smi in the job's sampler step: ${parsed.reason}` });
    }
  });
  const timer = setInterval(flush, options.intervalMs);
  return {
    stop() {
      clearInterval(timer);
      flush();
      stream.stop();
    },
  };
}
