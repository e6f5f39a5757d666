/**
 * The Node.js that starts the built-in engine's workers (and the link probe's ends), chosen by the
 * layer that knows what it runs in. In plain Node (CLI, web mode, tests) it is the Node.js running
 * ShardScope. In the desktop app `process.execPath` is the Electron app, and the packaged app has
 * the runAsNode fuse off (electron-builder.yml), so starting it would open a second app: there the
 * Node.js runtime packaged as an extra resource (`resources/node/bin/node`) runs the workers; an
 * unpackaged Electron (`npm start`) runs them as Node through ELECTRON_RUN_AS_NODE.
 * `SHARDSCOPE_NODE` overrides the choice everywhere.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';

/** A program that runs the worker bundle like `node worker.cjs ...`. */
export interface WorkerRuntime {
  /** Program to start (its first argument is the worker bundle). */
  command: string;
  /** Environment it needs to act as Node.js (ELECTRON_RUN_AS_NODE for an unpackaged Electron). */
  env: Record<string, string>;
  source: 'node' | 'bundled-node' | 'electron-as-node' | 'env';
  /** A real Node.js binary that may be copied to hosts without one (null: Electron cannot be shipped). */
  shippableNodePath: string | null;
}

/** What the caller's process is: plain Node, or Electron (packaged or not) with its resources folder. */
export interface RuntimeHost {
  execPath: string;
  /** `process.versions.electron` (undefined in plain Node). */
  electronVersion?: string;
  /** Electron's `process.resourcesPath`. */
  resourcesPath?: string;
  /** Electron's `app.isPackaged`. */
  isPackaged?: boolean;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

/** Where the packaged desktop app keeps its Node.js runtime (electron-builder.yml extraResources). */
export function bundledNodePath(resourcesPath: string, platform: NodeJS.Platform = process.platform): string {
  return join(resourcesPath, 'node', 'bin', platform === 'win32' ? 'node.exe' : 'node');
}

/** Picks the worker runtime for a process; a packaged app without its bundled Node.js is `unavailable`. */
export function workerRuntimeFor(host: RuntimeHost, exists: (path: string) => boolean = existsSync): WorkerRuntime {
  const override = host.env?.SHARDSCOPE_NODE;
  if (override) {
    if (!exists(override)) throw new ShardScopeError('bad-input', `SHARDSCOPE_NODE: no such file ${override}`);
    return { command: override, env: {}, source: 'env', shippableNodePath: override };
  }
  if (!host.electronVersion) return { command: host.execPath, env: {}, source: 'node', shippableNodePath: host.execPath };
  const bundled = host.resourcesPath ? bundledNodePath(host.resourcesPath, host.platform) : null;
  if (bundled && exists(bundled)) return { command: bundled, env: {}, source: 'bundled-node', shippableNodePath: bundled };
  if (host.isPackaged) {
    throw new ShardScopeError('unavailable', `this app's Node.js runtime is missing (${bundled ?? 'resources/node/bin/node'}): the packaged app cannot start workers — reinstall it, or set SHARDSCOPE_NODE to a Node.js 20+ binary`);
  }
  return { command: host.execPath, env: { ELECTRON_RUN_AS_NODE: '1' }, source: 'electron-as-node', shippableNodePath: null };
}

/** The runtime of this process as plain Node sees it (CLI, web mode, tests). */
export function currentWorkerRuntime(): WorkerRuntime {
  return workerRuntimeFor({ execPath: process.execPath, electronVersion: process.versions.electron, env: process.env });
}
