/**
 * SSH spawner: starts a rank on a remote host over an open ssh2 connection, through the deployed
 * launcher (remote-wrapper.ts with the host's Node.js, or python-launcher.ts for torch-only hosts). The run secret and the rest of the rank's environment go as one
 * JSON line on the channel's stdin, never on the command line. stdout carries the worker's events,
 * stderr its logs (the launcher's heartbeat lines are filtered out). A rank whose channel or host
 * goes silent for `silentAfterMs` counts as exited with a reason naming the host.
 */
import { PassThrough } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { SshConnection } from '../ssh/connect.js';
import type { DeployResult } from '../ssh/deploy.js';
import { buildRemoteCommand } from '../ssh/shell-quote.js';
import { heartbeatLine } from './remote-wrapper.js';
import type { RankExit, RankProcess, SpawnRequest, Spawner } from './spawner.js';

/** A prepared remote host: its connection and deployed bundle. */
export interface RemoteSpawnHost {
  /** Host id used in messages (the placement's host). */
  id: string;
  connection: SshConnection;
  deploy: DeployResult;
  /** Remote path of the training data, replacing `dataPath` in the rank's --config. */
  remoteDataPath?: string;
  /** A rank with no output and no heartbeat for this long counts as lost (default 5000 ms). */
  silentAfterMs?: number;
  /** The launcher stops its rank after this long without the controller's heartbeat (default 6000 ms). */
  launcherTimeoutMs?: number;
}

const pidLine = /^\x1epid (\d+)$/;

/**
 * The remote argv of a rank, through the host's launcher: `NODE launch.cjs WORKER <worker args>`
 * (--config's dataPath rewritten) for a worker, `LAUNCHER --exec PROGRAM ARGS` for anything else
 * (the torch engine's python, whose launcher is Python too).
 */
export function remoteRankArgv(request: SpawnRequest, host: RemoteSpawnHost): string[] {
  if (!request.isWorker) return [...host.deploy.launcherArgv, '--exec', request.command, ...request.args];
  if (!host.deploy.workerPath) throw new ShardScopeError('internal', `host ${host.id} was prepared without the worker bundle (torch engine only) but is asked to run a worker`);
  // args[0] is the local worker bundle; the rest are worker arguments.
  const args = request.args.slice(1);
  const i = args.indexOf('--config');
  if (i >= 0 && host.remoteDataPath) args[i + 1] = JSON.stringify({ ...JSON.parse(args[i + 1]), dataPath: host.remoteDataPath });
  return [...host.deploy.launcherArgv, host.deploy.workerPath, ...args];
}

/** A Spawner that starts ranks on `host` over SSH exec. */
export function remoteSpawner(host: RemoteSpawnHost): Spawner {
  const silentAfterMs = host.silentAfterMs ?? 5000;
  return (request) => {
    const command = buildRemoteCommand({
      cwd: host.deploy.dir,
      env: { SHARDSCOPE_HEARTBEAT_TIMEOUT_MS: String(host.launcherTimeoutMs ?? 6000) },
      argv: remoteRankArgv(request, host),
    });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let channel: ClientChannel | null = null;
    let remotePid = -1;
    let lastHeardMs = Date.now();
    let settle: (exit: RankExit) => void = () => undefined;
    let isDone = false;
    const exited = new Promise<RankExit>((resolve) => { settle = resolve; });
    const finish = (exit: RankExit): void => {
      if (isDone) return;
      isDone = true;
      clearInterval(beat);
      host.connection.client.off('close', onConnectionClose);
      if (channel) { channel.removeAllListeners('data'); try { channel.destroy(); } catch { /* closed */ } }
      stdout.end();
      stderr.end();
      settle(exit);
    };
    const who = `host ${host.id}`;
    const onConnectionClose = (): void => finish({ code: null, signal: null, reason: `SSH connection to ${who} closed` });
    host.connection.client.once('close', onConnectionClose);
    const beat = setInterval(() => {
      if (channel?.writable) channel.write('hb\n');
      if (Date.now() - lastHeardMs > silentAfterMs) finish({ code: null, signal: null, reason: `${who} silent for ${(silentAfterMs / 1000).toFixed(0)} s (no output or heartbeat: link down or host hung)` });
    }, 1000);

    let pendingErr = '';
    const onStderr = (chunk: Buffer): void => {
      lastHeardMs = Date.now();
      pendingErr += chunk.toString('utf8');
      const lines = pendingErr.split('\n');
      pendingErr = lines.pop() ?? '';
      const kept = lines.filter((line) => {
        if (line === heartbeatLine) return false;
        const pid = pidLine.exec(line);
        if (pid) { remotePid = Number(pid[1]); return false; }
        return true;
      });
      if (kept.length > 0) stderr.write(`${kept.join('\n')}\n`);
    };

    host.connection.client.exec(command, (error, stream) => {
      if (error) { stderr.write(`${who}: could not start rank ${request.rank}: ${error.message}\n`); finish({ code: 127, signal: null }); return; }
      channel = stream;
      if (isDone) { stream.destroy(); return; }
      let exit: RankExit = { code: null, signal: null, reason: `${who}: channel closed without an exit status` };
      stream.on('data', (chunk: Buffer) => { lastHeardMs = Date.now(); stdout.write(chunk); });
      stream.stderr.on('data', onStderr);
      stream.on('exit', (code: number | null, signal?: string) => {
        exit = typeof code === 'number' ? { code, signal: null } : { code: null, signal: signal ? `SIG${signal.replace(/^SIG/, '')}` : null };
      });
      stream.on('close', () => finish(exit));
      stream.on('error', () => undefined);
      stream.write(`${JSON.stringify(request.env)}\n`);
    });

    return {
      get pid() { return remotePid; },
      stdout,
      stderr,
      kill(signal) {
        if (isDone) return;
        if (channel?.writable) channel.write(signal === 'SIGKILL' ? 'KILL\n' : 'TERM\n');
        // An unreachable host cannot be told: its launcher stops the rank once heartbeats stop.
        if (signal === 'SIGKILL') setTimeout(() => finish({ code: null, signal: 'SIGKILL', reason: `${who} did not confirm the stop; its launcher ends the rank when the controller's heartbeats stop` }), 3000).unref();
      },
      exited,
    } satisfies RankProcess;
  };
}
