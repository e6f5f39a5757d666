/** Pure parsers of Slurm command output: `scontrol -o show node|partition|job`, gres strings, node lists, times. */
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { SlurmGres, SlurmNode, SlurmPartition } from '../../../src-shared/slurm.js';

/**
 * One `scontrol -o` record as key -> value. Values may hold spaces (`OS=Linux 6.1 #1 SMP`,
 * `Reason=maint check`), so a new field starts only at ` Key=` with a capitalised key.
 */
export function parseScontrolRecord(line: string): Record<string, string> {
  const record: Record<string, string> = {};
  for (const field of line.trim().split(/ +(?=[A-Z][A-Za-z_:]*=)/)) {
    const eq = field.indexOf('=');
    if (eq > 0) record[field.slice(0, eq)] = field.slice(eq + 1).trim();
  }
  return record;
}

/** Records of a `scontrol -o show ...` output (one per non-empty line). */
export function parseScontrolRecords(text: string): Array<Record<string, string>> {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('No ')).map(parseScontrolRecord);
}

/** GPUs of a gres string: `gpu:a100:4(S:0-1),gpu:2,shard:8` -> [{type: 'a100', count: 4}, {type: null, count: 2}]. */
export function parseGpuGres(gres: string | undefined): SlurmGres[] {
  if (!gres || gres === '(null)') return [];
  return gres.split(/,(?![^(]*\))/).map((part) => part.replace(/\(.*\)$/, '').split(':')).filter((p) => p[0] === 'gpu').map((p) => {
    const count = Number(p[p.length - 1]);
    const type = p.length >= 3 ? p.slice(1, -1).join(':') : p.length === 2 && !Number.isFinite(count) ? p[1] : null;
    return { type, count: Number.isFinite(count) ? count : 1 };
  });
}

function intOf(value: string | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** A node from `scontrol -o show node`. */
export function parseNode(record: Record<string, string>): SlurmNode {
  if (!record.NodeName) throw new ShardScopeError('protocol', 'scontrol show node: a record without NodeName');
  const state = (record.State ?? 'UNKNOWN').toLowerCase();
  return {
    name: record.NodeName,
    address: record.NodeAddr ?? record.NodeName,
    hostname: record.NodeHostName ?? record.NodeName,
    partitions: (record.Partitions ?? '').split(',').filter(Boolean),
    state,
    reason: record.Reason ? record.Reason.replace(/ \[[^\]]*\]$/, '') : null,
    isAvailable: /^(idle|mixed|allocated)/.test(state) && !/(drain|down|fail|maint|reserved|not_responding)/.test(state) && !state.includes('*'),
    cpus: intOf(record.CPUTot),
    cpusAllocated: intOf(record.CPUAlloc),
    memoryBytes: intOf(record.RealMemory) * 1024 * 1024,
    gpus: parseGpuGres(record.Gres),
    arch: record.Arch ?? null,
    os: record.OS ?? null,
  };
}

/** A partition from `scontrol -o show partition`. */
export function parsePartition(record: Record<string, string>): SlurmPartition {
  return {
    name: record.PartitionName,
    state: (record.State ?? 'UNKNOWN').toLowerCase(),
    isDefault: record.Default === 'YES',
    maxTime: record.MaxTime ?? 'UNLIMITED',
    totalNodes: intOf(record.TotalNodes),
    nodes: record.Nodes ?? '',
  };
}

/** Seconds of a Slurm duration: `[D-]HH:MM:SS`, `MM:SS`, `MM`, or `UNLIMITED`/`INVALID` (null). */
export function parseSlurmDuration(text: string | undefined): number | null {
  if (!text || !/^[\d:-]+$/.test(text)) return null;
  const [days, rest] = text.includes('-') ? [Number(text.split('-')[0]), text.split('-')[1]] : [0, text];
  const parts = rest.split(':').map(Number);
  const [h, m, s] = parts.length === 3 ? parts : parts.length === 2 ? [0, parts[0], parts[1]] : [0, parts[0], 0];
  return days * 86400 + h * 3600 + m * 60 + s;
}

/** `--time` as Slurm takes it: minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]]; anything else is bad input. */
export function checkTimeLimit(text: string): string {
  if (!/^(\d+-)?\d+(:\d{1,2}){0,2}$/.test(text)) throw new ShardScopeError('bad-input', `--time must be a Slurm time limit (MM, HH:MM:SS or D-HH:MM), got "${text}"`);
  return text;
}
