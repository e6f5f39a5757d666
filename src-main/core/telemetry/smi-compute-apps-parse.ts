/**
 * Sans-IO parsing of `nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits`:
 * which process uses which GPU and how much of its memory. Also reads the recorded `--format=csv`
 * form (header line, units in the values). Placeholders ("[N/A]") become null memory.
 */
import type { GpuProcess } from '../../../src-shared/telemetry.js';
import { isNotAvailable } from '../inventory/smi-values-parse.js';

/** The fields asked for, in order. */
export const computeAppsFields = ['gpu_uuid', 'pid', 'used_memory', 'process_name'] as const;

/** Arguments of one compute-apps query. */
export const computeAppsArgs: readonly string[] = [`--query-compute-apps=${computeAppsFields.join(',')}`, '--format=csv,noheader,nounits'];

const bytesPerMiB = 1024 * 1024;

function memoryBytesOf(cell: string): number | null {
  if (isNotAvailable(cell)) return null;
  const match = /^(\d+(?:\.\d+)?)\s*(MiB)?$/.exec(cell.trim());
  return match ? Math.round(Number(match[1]) * bytesPerMiB) : null;
}

/**
 * The processes in a query's output. With a header line the columns are found by name (the
 * recorded captures ask for more fields); without one they are `computeAppsFields` in order.
 * Lines that are not a process (driver messages, "No running processes found") are skipped.
 */
export function parseComputeApps(text: string): GpuProcess[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const cells = (line: string) => line.split(',').map((c) => c.trim());
  let uuidAt = 0;
  let pidAt = 1;
  let memoryAt = 2;
  let nameAt = 3;
  let body = lines;
  if (/\bpid\b/.test(lines[0]) && /uuid/.test(lines[0])) {
    const header = cells(lines[0]).map((h) => h.replace(/\s*\[.*\]$/, ''));
    uuidAt = header.indexOf('gpu_uuid');
    pidAt = header.indexOf('pid');
    memoryAt = header.findIndex((h) => h === 'used_memory' || h === 'used_gpu_memory');
    nameAt = header.findIndex((h) => h === 'process_name' || h === 'name');
    body = lines.slice(1);
  }
  const processes: GpuProcess[] = [];
  for (const line of body) {
    const row = cells(line);
    const pid = Number(row[pidAt]);
    const gpuUuid = row[uuidAt] ?? '';
    if (!Number.isInteger(pid) || pid <= 0 || !/^(GPU|MIG)-/.test(gpuUuid)) continue;
    // a name is the last field asked for: commas inside it stay part of it
    const name = nameAt >= 0 && row[nameAt] !== undefined ? (nameAt === row.length - 1 || nameAt === computeAppsFields.length - 1 ? row.slice(nameAt).join(', ') : row[nameAt]) : undefined;
    processes.push({
      gpuUuid, pid, usedMemoryBytes: memoryAt >= 0 && row[memoryAt] !== undefined ? memoryBytesOf(row[memoryAt]) : null,
      ...(name && !isNotAvailable(name) ? { name } : {}),
    });
  }
  return processes;
}

/** Lines `@@user PID USER` (the owner of each compute process, looked up on the host) as pid -> user. */
export function parseUserLines(lines: readonly string[]): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of lines) {
    const match = /^@@user (\d+) (\S+)\s*$/.exec(line);
    if (match) users.set(Number(match[1]), match[2]);
  }
  return users;
}

/** The processes with their owners where known. */
export function withUsers(processes: GpuProcess[], users: ReadonlyMap<number, string>): GpuProcess[] {
  return processes.map((p) => (users.has(p.pid) ? { ...p, user: users.get(p.pid) } : p));
}
