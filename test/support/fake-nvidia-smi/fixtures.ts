/** Paths of the recorded nvidia-smi outputs and of the stand-in executable that replays them. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Root of the recorded nvidia-smi outputs (../shared/fixtures/nvidia-smi beside the repo). */
export const smiFixturesDir = new URL('../../../../shared/fixtures/nvidia-smi/', import.meta.url).pathname;

/** The stand-in `nvidia-smi` executable. */
export const fakeNvidiaSmiPath = new URL('./nvidia-smi', import.meta.url).pathname;

/** Fixture files of one kind (xml, topo, query-gpu-csv ...), without their .source.txt sidecars. */
export function fixtureFiles(kind: string): string[] {
  const dir = join(smiFixturesDir, kind);
  return readdirSync(dir).filter((name) => !name.endsWith('.source.txt')).sort().map((name) => join(dir, name));
}

/** The path of one fixture file. */
export function fixture(kind: string, name: string): string {
  return join(smiFixturesDir, kind, name);
}
