/** Per-host `nvidia-smi`: a wrapper around the shared stand-in (test/support/fake-nvidia-smi) with this host's fixtures. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { shellQuote } from '../../../src-main/core/ssh/shell-quote.js';

/** Where the recorded nvidia-smi outputs live. */
export const fixturesDir = new URL('../../../../shared/fixtures/nvidia-smi/', import.meta.url).pathname;
const fakeSmi = new URL('../fake-nvidia-smi/nvidia-smi', import.meta.url).pathname;

/** What a host's `nvidia-smi` does: print fixtures, be absent, or fail like a host whose driver is not loaded. */
export type SmiBehaviour =
  | { kind: 'fixture'; xmlFile: string; topoFile: string | null; queryCsvFile?: string; dmonFile?: string; nvlinkFile?: string; dmonDelayMs?: number; replicateGpus?: number; computeAppsFile?: string; extraEnv?: Record<string, string> }
  | { kind: 'missing' }
  | { kind: 'no-driver' };

/** Writes `binDir/nvidia-smi` for the behaviour (nothing for `missing`); fixture names are relative to fixturesDir. */
export function writeFakeSmi(binDir: string, behaviour: SmiBehaviour): void {
  mkdirSync(binDir, { recursive: true, mode: 0o755 });
  if (behaviour.kind === 'missing') return;
  const env: Record<string, string> = {};
  if (behaviour.kind === 'fixture') {
    env.FAKE_SMI_XML = join(fixturesDir, behaviour.xmlFile);
    if (behaviour.topoFile) env.FAKE_SMI_TOPO = join(fixturesDir, behaviour.topoFile);
    if (behaviour.queryCsvFile) env.FAKE_SMI_QUERY_CSV = join(fixturesDir, behaviour.queryCsvFile);
    // dmon/nvlink files may also be absolute (fixtures captured in this repo, test/fixtures/nvidia-smi).
    if (behaviour.dmonFile) env.FAKE_SMI_DMON = resolve(fixturesDir, behaviour.dmonFile);
    if (behaviour.nvlinkFile) env.FAKE_SMI_NVLINK = resolve(fixturesDir, behaviour.nvlinkFile);
    if (behaviour.dmonDelayMs) env.FAKE_SMI_DMON_DELAY_MS = String(behaviour.dmonDelayMs);
    if (behaviour.replicateGpus) env.FAKE_SMI_REPLICATE_GPUS = String(behaviour.replicateGpus);
    if (behaviour.computeAppsFile) env.FAKE_SMI_COMPUTE_APPS = resolve(fixturesDir, behaviour.computeAppsFile);
    Object.assign(env, behaviour.extraEnv ?? {}); // e.g. FAKE_SMI_HANG_MATCH / FAKE_SMI_FLOOD_MATCH (a haywire nvidia-smi)
  }
  // Without fixture variables the stand-in answers like a host whose driver is not loaded (exit 9).
  const exports = Object.entries(env).map(([k, v]) => `export ${shellQuote([`${k}=${v}`])}\n`).join('');
  const script = `#!/bin/sh\n# nvidia-smi of an ssh test-cluster host\nunset FAKE_SMI_XML FAKE_SMI_TOPO FAKE_SMI_QUERY_CSV FAKE_SMI_DMON FAKE_SMI_NVLINK FAKE_SMI_DMON_DELAY_MS FAKE_SMI_REPLICATE_GPUS FAKE_SMI_COMPUTE_APPS\n${exports}exec /usr/bin/node ${shellQuote([fakeSmi])} "$@"\n`;
  writeFileSync(join(binDir, 'nvidia-smi'), script, { mode: 0o755 });
}
