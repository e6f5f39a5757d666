/**
 * The shell scripts a host sampler runs, the same on this machine (`sh -c` children) and on an SSH
 * host (exec channels): the nvidia-smi query stream, `dmon -s t` (PCIe), an NVLink counter loop, a
 * compute-apps loop (with each process's user) and the /proc loop (CPU, memory, NIC, RAPL).
 * Every script first prints `@@pid $$`: the id of its process group (a local child is started as a
 * group leader; sshd runs each session in its own), so the sampler can end all it started with one
 * `kill -TERM -PGID` per script.
 */
import { shellQuote } from '../ssh/shell-quote.js';
import { procLoopScript } from './remote-proc-parse.js';
import { computeAppsArgs } from './smi-compute-apps-parse.js';
import { dmonPcieArgs } from './smi-dmon-parse.js';
import { nvlinkCounterArgs } from './smi-nvlink-parse.js';
import { gpuQueryArgs } from './smi-query-parse.js';

/** The `@@pid` line every script starts with. */
export const PID_LINE = /^@@pid (\d+)\s*$/;

function seconds(ms: number): number {
  return Math.max(0.05, ms / 1000);
}

/** The scripts of one host's sampler (plain `sh` text; a launcher runs each with `sh -c`). */
export interface SamplerScripts {
  gpuQuery: string;
  dmon: string;
  nvlinkLoop: string;
  processLoop: string;
  procLoop: string;
  /** One-shot: exit 127 without nvidia-smi, else one NVLink counter reading (errors included). */
  probe: string;
}

/** Builds the scripts for nvidia-smi at `smiPath` and the sampler's intervals. */
export function samplerScripts(smiPath: string, intervalMs: number, nvlinkIntervalMs: number, processIntervalMs: number): SamplerScripts {
  const smi = (args: readonly string[]) => shellQuote([smiPath, ...args]);
  return {
    gpuQuery: `echo "@@pid $$"; exec ${smi(gpuQueryArgs(intervalMs))}`,
    dmon: `echo "@@pid $$"; exec ${smi(dmonPcieArgs(intervalMs))}`,
    nvlinkLoop: `echo "@@pid $$"; while :; do ${smi(nvlinkCounterArgs)} 2>&1; echo "@@end $?" || exit 0; sleep ${seconds(nvlinkIntervalMs).toFixed(3)}; done`,
    // each listed pid's owner follows as `@@user PID USER` (ps on the host), then `@@end <nvidia-smi exit code>`
    processLoop: `echo "@@pid $$"; while :; do out=$(${smi(computeAppsArgs)} 2>/dev/null); rc=$?; printf '%s\\n' "$out"; `
      + `for p in $(printf '%s\\n' "$out" | awk -F', *' '{print $2}'); do case "$p" in ''|*[!0-9]*) ;; *) u=$(ps -o user= -p "$p" 2>/dev/null) && echo "@@user $p $u";; esac; done; `
      + `echo "@@end $rc" || exit 0; sleep ${seconds(processIntervalMs).toFixed(3)}; done`,
    procLoop: procLoopScript(seconds(intervalMs)),
    probe: `command -v ${shellQuote([smiPath])} >/dev/null 2>&1 || exit 127; ${smi(nvlinkCounterArgs)} 2>&1; exit 0`,
  };
}

/**
 * `sh -c` argv that ends each process group: SIGTERM, then SIGKILL for groups still there after
 * 2 s (an nvidia-smi that hangs and ignores SIGTERM); groups already gone are skipped.
 */
export function killGroupsArgv(pids: readonly number[]): string[] {
  const safe = pids.filter((p) => Number.isInteger(p) && p > 1).map(String);
  const script = [
    'for g in "$@"; do kill -TERM -"$g" 2>/dev/null; done',
    'i=0; while [ $i -lt 20 ]; do left=0; for g in "$@"; do kill -0 -"$g" 2>/dev/null && left=1; done; [ $left = 0 ] && exit 0; sleep 0.1; i=$((i+1)); done',
    'for g in "$@"; do kill -KILL -"$g" 2>/dev/null; done; exit 0',
  ].join('; ');
  return ['sh', '-c', script, 'sh', ...safe];
}
