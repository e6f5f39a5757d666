/**
 * Starts the desktop app in Electron when it can start, and otherwise says why in one line.
 * Reads the binary's location the way the `electron` npm package does (its path.txt), without
 * importing Electron into this Node process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Either a running desktop app, or the reason there is none. */
export type DesktopLaunch = { started: true; child: ChildProcess } | { started: false; reason: string };

const READY_LINE = 'shardscope-desktop-ready';
const READY_TIMEOUT_MS = 20_000;

/** Finds the Electron binary installed by the `electron` package, or explains its absence. */
export function findElectronBinary(): { path: string } | { reason: string } {
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { reason: 'the Electron binary was not downloaded at install time (offline install); run `node node_modules/electron/install.js` with internet access' };
  }
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { reason: `Electron binary missing at ${binary}` };
}

/** True when this session has a display a window could open on. */
export function hasDisplay(env: NodeJS.ProcessEnv): boolean {
  if (process.platform !== 'linux') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Launches Electron on dist/app-main.cjs and waits until its window is up, or returns why not. */
export async function launchDesktop(appMainPath: string, env: NodeJS.ProcessEnv): Promise<DesktopLaunch> {
  const found = findElectronBinary();
  if ('reason' in found) return { started: false, reason: found.reason };
  if (!hasDisplay(env)) return { started: false, reason: 'no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  const childEnv = { ...env };
  delete childEnv.ELECTRON_RUN_AS_NODE;
  const child = spawn(found.path, [appMainPath], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve) => {
    let lastError = '';
    const timer = setTimeout(() => finish({ started: false, reason: 'Electron did not open its window within 20 s' }), READY_TIMEOUT_MS);
    const finish = (result: DesktopLaunch) => {
      clearTimeout(timer);
      if (!result.started) child.kill();
      resolve(result);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(READY_LINE)) finish({ started: true, child });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const lines = chunk.toString().trim().split('\n');
      lastError = lines[lines.length - 1] ?? lastError;
    });
    child.once('error', (error) => finish({ started: false, reason: `Electron could not start: ${error.message}` }));
    child.once('exit', (code) => finish({ started: false, reason: `Electron exited with code ${code}${lastError ? `: ${lastError}` : ''}` }));
  });
}

export { READY_LINE };
