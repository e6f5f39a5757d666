/** `shardscope runs [--json] [--db PATH]`: the stored runs with duration, throughput, energy and bytes moved. */
import { existsSync } from 'node:fs';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { RunListItem } from '../../../src-shared/run-record.js';
import { RunStore } from '../../core/store/run-store.js';
import { formatBytes, formatDateTime, formatDuration, formatJoules, formatRate } from '../../../src-shared/units.js';
import { parseFlags, storePathFlag } from '../args.js';
import { printJson, printLine, type CliCommand, type CliIo } from '../io.js';


function printTable(io: CliIo, runs: RunListItem[]): void {
  if (runs.length === 0) {
    printLine(io, 'no runs stored yet');
    return;
  }
  for (const run of runs) {
    const strategy = Object.entries(run.strategy).filter(([, v]) => typeof v === 'number' || typeof v === 'string').slice(0, 3).map(([k, v]) => `${k}=${v}`).join(',');
    printLine(io, [
      run.id, run.status.padEnd(9), run.engine, strategy, formatDateTime(run.startedAt), formatDuration(run.durationSeconds),
      formatRate(run.tokensPerSecond, 'tokens/s'), formatJoules(run.energyJoules), formatRate(run.joulesPerToken, 'J/token'),
      formatBytes(run.bytesMoved), run.hosts.join(','),
    ].join('  '));
  }
}

/** Lists the runs of the store (read only: never created; only runs whose controller died are marked interrupted); no store at the default path is an empty history. */
export const runsCommand: CliCommand = async (args, io) => {
  const { values } = parseFlags(args, { json: { type: 'boolean' }, db: { type: 'string' } });
  const path = storePathFlag(values.db, io.env);
  let runs: RunListItem[] = [];
  if (values.db !== undefined && !existsSync(path)) throw new ShardScopeError('bad-input', `no store at ${path}`);
  if (existsSync(path)) {
    const store = RunStore.open(path, { readonly: true });
    try {
      runs = store.listRuns();
    } finally {
      store.close();
    }
  }
  if (values.json) printJson(io, runs);
  else printTable(io, runs);
  return 0;
};
