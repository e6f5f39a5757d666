// Optional downloads after `npm install` (run from `prepare`, after the build); never fails the install.
// (a) Electron's binary, so a user with internet gets the desktop app (else `shardscope` uses web mode);
// (b) libtensorflow for @tensorflow/tfjs-node-gpu (only where nvidia-smi exists) and @tensorflow/tfjs-node
//     (else the worker trains on wasm). One line per item: installed / skipped (why) / failed (why).
// SHARDSCOPE_SKIP_OPTIONAL=1 skips everything. Offline, each item fails fast: a 3 s reachability probe first.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const probeTimeoutMs = 3_000;
const installTimeoutMs = Number(process.env.SHARDSCOPE_OPTIONAL_TIMEOUT_MS ?? 300_000);

function say(item, outcome) {
  console.log(`optional ${item}: ${outcome}`);
}

/** True when a TCP connection to host:443 opens within the probe timeout (no data is sent). */
function isReachable(host) {
  return new Promise((resolve) => {
    const socket = connect({ host, port: 443, timeout: probeTimeoutMs });
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.once('connect', () => done(true)).once('timeout', () => done(false)).once('error', () => done(false));
  });
}

/** Runs a command quietly with a timeout; resolves to a one-line failure reason, or null on success. */
function runQuietly(command, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: installTimeoutMs, env: process.env });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', (error) => resolve(error.message));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(null);
      else if (signal) resolve(`timed out after ${installTimeoutMs / 1000} s`);
      else resolve(stderr.split('\n').map((l) => l.trim()).find((l) => /error|fail/i.test(l)) ?? `exit ${code}`);
    });
  });
}

function hostOf(url, fallback) {
  try { return new URL(url).hostname; } catch { return fallback; }
}

async function electron() {
  const dir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(dir, 'install.js'))) return say('electron', 'skipped (electron is not in node_modules)');
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const installed = existsSync(join(dir, 'dist', 'version')) && readFileSync(join(dir, 'dist', 'version'), 'utf8').replace(/^v/, '').trim() === version;
  if (installed) return say('electron', `installed (${version}, already present)`);
  const cacheRoot = process.env.electron_config_cache ?? join(homedir(), '.cache', 'electron');
  const host = hostOf(process.env.ELECTRON_MIRROR ?? '', 'github.com');
  if (!existsSync(cacheRoot) && !(await isReachable(host))) return say('electron', `skipped (${host} not reachable; the app runs in web mode)`);
  const failure = await runQuietly(process.execPath, ['install.js'], dir);
  say('electron', failure ? `failed (${failure}; the app runs in web mode)` : `installed (${version})`);
}

function hasNvidiaSmi() {
  const smi = process.env.SHARDSCOPE_NVIDIA_SMI ?? 'nvidia-smi';
  return spawnSync(smi, ['-L'], { stdio: 'ignore', timeout: 5_000 }).status === 0;
}

async function tfjsNative(name, needsGpu) {
  const item = `@tensorflow/${name}`;
  const dir = join(root, 'node_modules', '@tensorflow', name);
  if (needsGpu && !hasNvidiaSmi()) return say(item, 'skipped (no nvidia-smi: no CUDA GPU here)');
  if (!existsSync(join(dir, 'package.json'))) return say(item, 'skipped (package not installed; optional dependency)');
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (existsSync(join(dir, 'lib')) && spawnSync(process.execPath, ['-e', `require(${JSON.stringify(dir)})`], { stdio: 'ignore', timeout: 60_000 }).status === 0) {
    return say(item, 'installed (already loads)');
  }
  const script = pkg.scripts?.install;
  if (!script) return say(item, 'skipped (package has no install script)');
  const host = hostOf(process.env.TFJS_NODE_CDN_STORAGE ?? '', 'storage.googleapis.com');
  if (!(await isReachable(host))) return say(item, `skipped (${host} not reachable; the worker falls back to wasm)`);
  const failure = await runQuietly('sh', ['-c', script], dir);
  say(item, failure ? `failed (${failure}; the worker falls back to wasm)` : 'installed');
}

if (process.env.SHARDSCOPE_SKIP_OPTIONAL === '1') {
  say('downloads', 'skipped (SHARDSCOPE_SKIP_OPTIONAL=1)');
} else {
  try {
    await electron();
    await tfjsNative('tfjs-node-gpu', true);
    await tfjsNative('tfjs-node', false);
  } catch (error) {
    say('downloads', `stopped (${error?.message ?? error})`);
  }
}
