// Bundles every runtime part with esbuild: CLI/core/server, Electron main + preload, renderer, worker.
// `--if-stale` skips the build when dist/ is newer than every source file (used by `npm start`).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
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

// Optional OpenBLAS matmul addon for the worker's wasm backend -> dist/native/blas.node; never fails the build.
function buildNativeBlas() {
  const source = join(root, 'native', 'blas');
  const nodeGyp = join(process.execPath, '..', '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!existsSync('/usr/include/x86_64-linux-gnu/cblas.h') && !existsSync('/usr/include/cblas.h')) {
    console.log('native BLAS: skipped (install libopenblas-dev)');
    return;
  }
  try {
    const built = join(source, 'build', 'Release', 'blas.node');
    const newestSource = Math.max(...['blas.c', 'binding.gyp'].map((f) => statSync(join(source, f)).mtimeMs));
    if (!existsSync(built) || statSync(built).mtimeMs < newestSource) {
      execFileSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${join(process.execPath, '..', '..')}`], { cwd: source, stdio: 'pipe' });
    }
    mkdirSync(join(dist, 'native'), { recursive: true });
    cpSync(built, join(dist, 'native', 'blas.node'));
    console.log('native BLAS: built dist/native/blas.node');
  } catch (error) {
    const detail = String(error.stderr ?? error.message).trim().split('\n').pop();
    console.log(`native BLAS: skipped (build failed: ${detail})`);
  }
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nodeCommon = { ...common, platform: 'node', target: 'node20', format: 'cjs', define: { 'process.env.SHARDSCOPE_BUILD_VERSION': JSON.stringify(version) } };

mkdirSync(dist, { recursive: true });
await Promise.all([
  build({ ...nodeCommon, entryPoints: { cli: 'src-main/cli/main.ts' }, outdir: dist, outExtension: { '.js': '.cjs' }, packages: 'external' }),
  build({ ...nodeCommon, entryPoints: { 'app-main': 'src-main/app/main.ts' }, outdir: dist, outExtension: { '.js': '.cjs' }, packages: 'external' }),
  // Strategy searches of the app and web mode run in this worker thread, off the main event loop. One
  // self-contained file (zod bundled): the packaged app loads it from app.asar.unpacked, outside node_modules.
  build({ ...nodeCommon, entryPoints: { 'planner-thread': 'src-main/core/planner/planner-thread-main.ts' }, outdir: dist, outExtension: { '.js': '.cjs' } }),
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
buildNativeBlas();
console.log('built dist/ (cli, app-main, planner-thread, preload, renderer, worker)');
