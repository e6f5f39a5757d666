/**
 * The rank launcher deployed next to the worker bundle (`launch.cjs`). Run over SSH exec as
 * `node launch.cjs WORKER ARGS...`, it reads ONE line of JSON environment (the run secret) from
 * stdin — so the secret is never in argv, `ps` or sshd logs — starts the worker in its own process
 * group with that environment, and then obeys control lines on stdin: `hb` (controller heartbeat),
 * `TERM` / `KILL` (signal the worker's whole group). Heartbeats also go the other way: a `\x1ehb`
 * line on stderr every second. When stdin ends (channel closed) or no heartbeat arrives for
 * `SHARDSCOPE_HEARTBEAT_TIMEOUT_MS` (a dropped link), the group is killed and the launcher exits,
 * so no rank outlives its controller. The launcher exits like the worker (same code or signal).
 */

/** Marker line the launcher writes on stderr as its heartbeat (filtered out of the logs). */
export const heartbeatLine = '\x1ehb';

/** File name of the launcher inside the deployed bundle folder. */
export const launcherFileName = 'launch.cjs';

/** Source of the launcher (CommonJS, Node >= 20, no dependencies). */
export const launcherSource = String.raw`'use strict';
// ShardScope rank launcher: see src-main/core/launch/remote-wrapper.ts.
const { spawn } = require('node:child_process');
const timeoutMs = Number(process.env.SHARDSCOPE_HEARTBEAT_TIMEOUT_MS || 6000);
// '--exec PROGRAM ARGS...' runs another program (e.g. python for the torch engine) instead of this Node.
const isExec = process.argv[2] === '--exec';
const program = isExec ? process.argv[3] : process.execPath;
const args = process.argv.slice(isExec ? 4 : 2);
let child = null;
let pending = '';
let lastBeatMs = Date.now();
let stopping = false;
const signalGroup = (sig) => { if (child && child.pid) { try { process.kill(-child.pid, sig); } catch (e) { /* gone */ } } };
const stop = (why) => {
  if (stopping) return;
  stopping = true;
  if (!child) process.exit(1);
  process.stderr.write('shardscope launcher: ' + why + '; stopping rank\n');
  signalGroup('SIGTERM');
  setTimeout(() => signalGroup('SIGKILL'), 2000).unref();
};
const onLine = (line) => {
  if (!child) {
    let env;
    try { env = JSON.parse(line); } catch (e) { process.stderr.write('shardscope launcher: bad environment line\n'); process.exit(2); }
    child = spawn(program, args, { env: Object.assign({}, process.env, env), stdio: ['pipe', 'inherit', 'inherit'], detached: true });
    child.stdin.on('error', () => {});
    process.stderr.write('\x1epid ' + child.pid + '\n');
    child.on('error', (e) => { process.stderr.write('shardscope launcher: ' + e.message + '\n'); process.exit(127); });
    child.on('exit', (code, sig) => {
      signalGroup('SIGKILL'); // anything the worker started
      if (sig) { process.removeAllListeners('SIGTERM'); process.removeAllListeners('SIGHUP'); process.kill(process.pid, sig); }
      process.exit(code === null ? 1 : code);
    });
    return;
  }
  if (line === 'TERM') { stopping = true; signalGroup('SIGTERM'); }
  else if (line === 'KILL') { stopping = true; signalGroup('SIGKILL'); }
};
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  lastBeatMs = Date.now();
  pending += chunk;
  let i;
  while ((i = pending.indexOf('\n')) >= 0) { const line = pending.slice(0, i); pending = pending.slice(i + 1); onLine(line); }
});
process.stdin.on('end', () => stop('controller channel closed'));
process.stdin.on('error', () => stop('controller channel failed'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGHUP'));
setInterval(() => {
  process.stderr.write('\x1ehb\n');
  if (Date.now() - lastBeatMs > timeoutMs) stop('no heartbeat from the controller for ' + timeoutMs + ' ms');
}, 1000);
`;
