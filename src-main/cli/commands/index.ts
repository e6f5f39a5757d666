/** Table of sub-commands. Each lives in its own file and is added here by one line. */
import type { CliCommand } from '../io.js';
import { appCommand } from './app.js';
import { discoverCommand } from './discover.js';
import { planCommand } from './plan.js';

export const commands: Record<string, CliCommand> = {
  app: appCommand,
  discover: discoverCommand,
  plan: planCommand,
};

export const usage = `shardscope - cluster profiler and launcher for sharded LLM training

  shardscope                     start the app (desktop if Electron can start, else web mode)
  shardscope app [--web] [--port N] [--no-open]
  shardscope discover [--ssh-config FILE] [--host [user@]host[:port]]... [--json]
  shardscope plan --model ID|FILE --gpu ID --gpus N [...] [--search] [--json]
  shardscope run  --model ID|FILE --strategy dp=D,tp=T,pp=P [--steps N] [--json]
  shardscope bench allreduce|train [--ranks N] [--json]
`;
