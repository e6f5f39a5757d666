/** Table of sub-commands. Each lives in its own file and is added here by one line. */
import type { CliCommand } from '../io.js';
import { appCommand } from './app.js';
import { discoverCommand } from './discover.js';
import { runsCommand } from './runs.js';
import { planCommand } from './plan.js';
import { benchCommand } from './bench.js';
import { runCommand } from './run.js';
import { reportCommand } from './report.js';
import { hostsCommand } from './hosts.js';
import { calibrateCommand } from './calibrate.js';

export const commands: Record<string, CliCommand> = {
  bench: benchCommand,
  app: appCommand,
  discover: discoverCommand,
  runs: runsCommand,
  plan: planCommand,
  run: runCommand,
  report: reportCommand,
  hosts: hostsCommand,
  calibrate: calibrateCommand,
};

export const usage = `shardscope - cluster profiler and launcher for sharded LLM training

  shardscope                     start the app (desktop if Electron can start, else web mode)
  shardscope app [--web] [--port N] [--no-open] [--run RUN|latest] [--nvidia-smi PATH] [--interval-ms N]
  shardscope discover [--ssh-config FILE] [--host [user@]host[:port]]... [--identity FILE]...
                 [--known-hosts FILE] [--nvidia-smi PATH] [--json]
                 | --slurm local|[user@]host[:port] [--partition P] [--probe-gpus] [--json]
  shardscope plan --model ID|FILE|config.json (--gpu ID|FILE --gpus N [--gpus-per-node N] | --cluster local|FILE|known [--nvidia-smi PATH] [--known-hosts FILE]) [--dp D] [--tp T] [--pp P]
                 [--cp C] [--ep E] [--virtual-stages V] [--layers-per-stage 5,6,...] [--micro-batch b] [--global-batch B]
                 [--seq-len S] [--zero 0|1|2|3] [--distributed-optimizer] [--shard-group G] [--recompute none|selective|full]
                 [--sequence-parallel] [--attention flash|standard] [--dtype bf16|fp16|fp8|fp32] [--offload none|optimizer|all]
                 [--no-overlap] [--efficiency F] [--inter-node-bandwidth GB/s] [--intra-node-bandwidth GB/s] [--power-cap W]
                 [--search [--objective throughput|energy|memory] [--limit N]] [--json]
  shardscope run  --model ID|FILE --strategy dp=D,tp=T,pp=P [--steps N] [--micro-batches M] [--schedule 1f1b|gpipe]
                 [--zero 0|1] [--recompute] [--seed S] [--global-batch B] [--lr X] [--data FILE] [--backend NAME]
                 [--engine tfjs|torch [--script FILE] [--python PATH]] [--sample-ms N] [--db PATH]
                 [--hosts FILE [--master-addr ADDR] [--known-hosts FILE]] [--report FILE] [--json]
                 [--slurm local|HOST [--partition P] [--nodes N] [--gpus-per-node G] [--time T] [--account A]
                  [--qos Q] [--job-dir DIR] [--dry-run]]   (a Slurm job: docs/slurm.md)
  shardscope hosts [list] [--json]
  shardscope hosts import --ssh-config FILE
  shardscope hosts probe --hosts FILE [--known-hosts FILE] [--seconds S] [--json]
  shardscope hosts trust HOST [--fingerprint SHA256:... | --yes] [--known-hosts FILE] [--json]
  shardscope hosts clean HOST... [--hosts FILE] [--identity FILE] [--known-hosts FILE] [--json]
  shardscope hosts set HOST [--node PATH] [--python PATH]
  shardscope calibrate [--model ID|FILE] [--global-batch B] [--reps N] [--hosts FILE [--known-hosts FILE]] [--show] [--db PATH] [--json]
  shardscope runs [--json] [--db PATH]
  shardscope report RUN[,RUN...]|latest --format html|pdf|json|csv|trace --out FILE [--db PATH] [--json]
  shardscope bench allreduce [--ranks N] [--sizes-mb 1,16,64] [--reps N] [--json]
  shardscope bench train [--steps N] [--json]
`;
