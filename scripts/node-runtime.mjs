#!/usr/bin/env node
/**
 * Puts the Node.js runtime the packaged desktop app ships into build/node-runtime/bin/node
 * (electron-builder.yml extraResources -> resources/node/bin/node). The app runs its workers with it
 * (the runAsNode fuse is off, so Electron's own binary cannot) and copies it to SSH hosts without a
 * usable Node.js. Usage: node scripts/node-runtime.mjs [--from PATH]   (default: the Node.js running
 * this script). Prefer an official nodejs.org build (portable: glibc >= 2.28 for Node.js 20 on Linux):
 * download and check it against SHASUMS256.txt, then pass its bin/node with --from.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--from');
const from = at >= 0 ? process.argv[at + 1] : process.execPath;
if (!from || !existsSync(from)) {
  console.error(`node-runtime: no such file ${from ?? '(missing after --from)'}`);
  process.exit(2);
}
const version = execFileSync(from, ['--version'], { encoding: 'utf8' }).trim();
const major = Number(/^v(\d+)\./.exec(version)?.[1]);
if (!(major >= 20)) {
  console.error(`node-runtime: ${from} is Node.js ${version}; the worker needs 20 or newer`);
  process.exit(2);
}
const target = join(root, 'build', 'node-runtime', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(from, target);
chmodSync(target, 0o755);
console.log(`node-runtime: ${from} (${version}) -> ${target}`);
