// Bundles every runtime part with esbuild: CLI/core/server, Electron main + preload, renderer, worker.
// `--if-stale` skips the build when dist/ is newer than every source file (used by `npm start`).
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const sourceDirs = ['src-shared', 'src-main', 'src-worker', 'src-renderer', 'resources'];

function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale() {
  const stamp = join(dist, 'cli.cjs');
  if (!existsSync(stamp)) return true;
  const builtAt = statSync(stamp).mtimeMs;
  return sourceDirs.some((d) => existsSync(join(root, d)) && newestMtimeMs(join(root, d)) > builtAt);
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nodeCommon = { ...common, platform: 'node', target: 'node20', format: 'cjs', define: { 'process.env.SHARDSCOPE_BUILD_VERSION': JSON.stringify(version) } };

mkdirSync(dist, { recursive: true });
await Promise.all([
  build({ ...nodeCommon, entryPoints: { cli: 'src-main/cli/main.ts' }, outdir: dist, outExtension: { '.js': '.cjs' }, packages: 'external' }),
  build({ ...nodeCommon, entryPoints: { 'app-main': 'src-main/app/main.ts' }, outdir: dist, outExtension: { '.js': '.cjs' }, packages: 'external' }),
  // The sandboxed preload must be one self-contained file: only `electron` stays external.
  build({ ...nodeCommon, entryPoints: { preload: 'src-main/app/preload.ts' }, outdir: dist, outExtension: { '.js': '.cjs' }, external: ['electron'] }),
  build({ ...common, platform: 'browser', target: 'chrome120', format: 'iife', entryPoints: { app: 'src-renderer/index.ts' }, outdir: join(dist, 'renderer') }),
  // The worker runs on remote hosts as one file plus the tfjs wasm binaries next to it; the native
  // TensorFlow packages stay external (required at run time inside try/catch, absent is a normal case).
  build({ ...nodeCommon, entryPoints: { worker: 'src-worker/main.ts' }, outdir: dist, outExtension: { '.js': '.cjs' }, external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] }),
]);
const wasmDir = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
for (const file of readdirSync(wasmDir).filter((name) => name.endsWith('.wasm'))) cpSync(join(wasmDir, file), join(dist, file));
for (const file of ['index.html', 'styles.css']) cpSync(join(root, 'src-renderer', file), join(dist, 'renderer', file));
console.log('built dist/ (cli, app-main, preload, renderer, worker)');
