/** `shardscope bench <name>`: a small table of benchmarks, each in its own file. */
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { CliCommand } from '../io.js';
import { benchTrainCommand } from './bench-train.js';
import { benchAllreduceCommand } from './bench-allreduce.js';

const benches: Record<string, CliCommand> = {
  train: benchTrainCommand,
  allreduce: benchAllreduceCommand,
};

/** Dispatches to the named benchmark; an unknown or missing name is `bad-input`. */
export const benchCommand: CliCommand = async (args, io) => {
  const [name, ...rest] = args;
  const bench = name !== undefined && Object.hasOwn(benches, name) ? benches[name] : undefined;
  if (!bench) throw new ShardScopeError('bad-input', `bench: expected one of ${Object.keys(benches).join(', ')}, got "${name ?? ''}"`);
  return bench(rest, io);
};
