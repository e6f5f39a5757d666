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

export const commands: Record<string, CliCommand> = {
  bench: benchCommand,
  app: appCommand,
  discover: discoverCommand,
  runs: runsCommand,
  plan: planCommand,
  run: runCommand,
  report: reportCommand,
  hosts: hostsCommand,
};

export const usage = `shardscope - cluster profiler and launcher for sharded LLM training

  shardscope                     start the app (desktop if Electron can start, else web mode)
  shardscope app [--web] [--port N] [--no-open]
  shardscope discover [--ssh-config FILE] [--host [user@]host[:port]]... [--json]
  shardscope plan --model ID|FILE --gpu ID --gpus N [...] [--search] [--json]
  shardscope run  --model ID|FILE --strategy dp=D,tp=T,pp=P [--steps N] [--engine tfjs|torch [--script FILE] [--python PATH]]
                 [--hosts FILE [--master-addr ADDR] [--known-hosts FILE]] [--json]
  shardscope hosts [list|import --ssh-config FILE|probe --hosts FILE] [--json]
  shardscope runs [--json] [--db PATH]
  shardscope report RUN[,RUN...]|latest --format html|pdf|json|csv|trace --out FILE [--db PATH]
  shardscope bench allreduce|train [--ranks N] [--json]
`;
