/**
 * Agentless sampler of one SSH host: ONE connection, reused, carrying long-lived exec channels —
 * the nvidia-smi query stream, `dmon -s t` (PCIe), an NVLink counter loop where the GPUs have
 * NVLink, and a /proc loop (CPU, memory, NIC, RAPL). A channel that ends is restarted with backoff;
 * a connection that drops (or goes silent) is re-opened with backoff. Each break is a notice and
 * leaves a gap: no sample is made up. stop() kills every remote process group it started.
 */
import type { Client } from 'ssh2';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { GpuSample, HostSample, TelemetryBatch } from '../../../src-shared/telemetry.js';
import { connectSsh, type SshConnection } from '../ssh/connect.js';
import { REMOTE_COMMAND_TIMEOUT_MS } from '../ssh/exec.js';
import type { RemoteTarget } from '../ssh/target.js';
import { startRestartingStream, type RestartingStream } from './host-sampler-stream.js';
import { GpuLinkRates, NvlinkDeltas } from './host-sampler-merge.js';
import { execLauncher, killGroupsCommand, remoteSamplerCommands } from './remote-channel.js';
import { ProcLoopParser, RemoteHostRates } from './remote-proc-parse.js';
import { DmonParser, pcieThroughputOf } from './smi-dmon-parse.js';
import { hasNvlinkCounters, parseNvlink } from './smi-nvlink-parse.js';
import { parseGpuQueryLine } from './smi-query-parse.js';

/** Options of a remote host sampler. */
export interface RemoteSamplerOptions {
  target: RemoteTarget;
  knownHostsFile: string;
  /** Host id in the samples (default target.id). */
  hostId?: string;
  intervalMs: number;
  onBatch: (batch: TelemetryBatch) => void;
  signal?: AbortSignal;
  /** nvidia-smi on the host (default `nvidia-smi` from the login PATH). */
  nvidiaSmi?: string;
  /** NVLink counters are polled this often (default max(interval, 2 s)). */
  nvlinkIntervalMs?: number;
  /** CPU TDP for the estimated CPU power when RAPL is unreadable (default: a rough per-core figure). */
  cpuTdpWatts?: number;
  /** SSH handshake limit per attempt (default 10 s). */
  connectTimeoutMs?: number;
  /** No line on any channel for this long means the connection is lost (default max(3 s, 4 x interval)). */
  staleAfterMs?: number;
  /** First restart/reconnect delay, doubling up to maxBackoffMs (defaults 1 s, 30 s). */
  restartBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
}

/** A running remote sampler. */
export interface RemoteSampler {
  /** Whether the SSH connection is up now. */
  readonly isConnected: boolean;
  /** Remote process-group ids of the running channels (for tests and diagnostics). */
  readonly remotePids: number[];
  /** Stops sampling, ends the remote processes and closes the connection. */
  stop(): Promise<void>;
}

/** Starts sampling `target`; connection problems are reported as notices, never thrown. */
export function startRemoteSampler(options: RemoteSamplerOptions): RemoteSampler {
  const { intervalMs } = options;
  if (!Number.isFinite(intervalMs) || intervalMs < 50) throw new ShardScopeError('bad-input', `sample interval must be at least 50 ms, got ${intervalMs}`);
  const now = options.now ?? Date.now;
  const hostId = options.hostId ?? options.target.id;
  const smiPath = options.nvidiaSmi ?? 'nvidia-smi';
  const nvlinkIntervalMs = options.nvlinkIntervalMs ?? Math.max(intervalMs, 2000);
  const staleAfterMs = options.staleAfterMs ?? Math.max(3000, 4 * intervalMs);
  const firstBackoffMs = options.restartBackoffMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const commands = remoteSamplerCommands(smiPath, intervalMs, nvlinkIntervalMs);

  let pendingGpus: GpuSample[] = [];
  let pendingHosts: HostSample[] = [];
  let pendingNotices: TelemetryBatch['notices'] = [];
  const notice = (message: string): void => { pendingNotices.push({ hostId, timestampMs: now(), message }); };
  const linkRates = new GpuLinkRates(Math.max(3 * intervalMs, 2500, 2 * nvlinkIntervalMs + intervalMs));
  const nvlinkDeltas = new NvlinkDeltas();
  const hostRates = new RemoteHostRates(hostId, options.cpuTdpWatts ?? null);

  let isStopping = false;
  let connection: SshConnection | null = null;
  let streams: RestartingStream[] = [];
  const livePids = new Set<number>();
  let orphanPids: number[] = [];
  let lastLineMs = now();
  let lostAtMs: number | null = null;
  let reconnectBackoffMs = firstBackoffMs;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> = Promise.resolve();
  const abortConnect = new AbortController();

  function openStream(client: Client, name: string, command: string, onLine: (line: string) => void): RestartingStream {
    return startRestartingStream({
      name, onNotice: notice, restartBackoffMs: firstBackoffMs, maxBackoffMs,
      onLine: (line) => { lastLineMs = now(); onLine(line); },
      launch: execLauncher({
        client, command,
        isConnectionAlive: () => connection?.client === client,
        onRemotePid: (pid, isRunning) => { if (isRunning) livePids.add(pid); else livePids.delete(pid); },
      }),
    });
  }

  async function startStreams(current: SshConnection): Promise<void> {
    const { client } = current;
    const procParser = new ProcLoopParser();
    streams.push(openStream(client, 'host /proc loop', commands.procLoop, (line) => {
      const frame = procParser.pushLine(line);
      const sample = frame ? hostRates.next(frame, now()) : null;
      if (sample) pendingHosts.push(sample);
    }));
    const probe = await current.exec(commands.probe, { timeoutMs: REMOTE_COMMAND_TIMEOUT_MS, signal: abortConnect.signal }).catch((error: Error) => ({ exitCode: -1, stdout: '', stderr: error.message }));
    if (connection !== current || isStopping) return;
    if (probe.exitCode === 127) { notice(`GPU telemetry off: ${smiPath} not found on the host`); return; }
    let hasBadLine = false;
    streams.push(openStream(client, 'nvidia-smi query stream', commands.gpuQuery, (line) => {
      if (line.trim() === '') return;
      const result = parseGpuQueryLine(line, hostId, now());
      if (result.ok) pendingGpus.push(linkRates.enrich(result.sample));
      else if (!hasBadLine) { hasBadLine = true; notice(`nvidia-smi stream: unreadable line (${result.reason})`); }
    }));
    const dmon = new DmonParser();
    streams.push(openStream(client, 'nvidia-smi dmon', commands.dmon, (line) => {
      const result = dmon.pushLine(line);
      const pcie = result.kind === 'row' ? pcieThroughputOf(result.row) : null;
      if (pcie) linkRates.setPcie(pcie, now());
    }));
    if (!isNvlinkOutput(probe.stdout)) return;
    let reading: string[] = [];
    streams.push(openStream(client, 'nvidia-smi nvlink loop', commands.nvlinkLoop, (line) => {
      if (!line.startsWith('@@end')) { reading.push(line); return; }
      const text = reading.join('\n');
      reading = [];
      try {
        linkRates.setNvlink(nvlinkDeltas.next(parseNvlink(text), now()), now());
      } catch (error) {
        nvlinkDeltas.reset();
        notice(`NVLink counters unreadable: ${(error as Error).message}`);
      }
    }));
  }

  function isNvlinkOutput(text: string): boolean {
    try { return hasNvlinkCounters(parseNvlink(text)); } catch { return false; }
  }

  async function connectOnce(): Promise<void> {
    let current: SshConnection;
    try {
      current = await connectSsh(options.target, { knownHostsFile: options.knownHostsFile, timeoutMs: options.connectTimeoutMs, signal: abortConnect.signal });
    } catch (error) {
      if (isStopping) return;
      const delayMs = reconnectBackoffMs;
      reconnectBackoffMs = Math.min(maxBackoffMs, reconnectBackoffMs * 2);
      notice(`SSH connection failed (${error instanceof Error ? error.message : String(error)}); retrying in ${delayMs} ms`);
      scheduleConnect(delayMs);
      return;
    }
    if (isStopping) { current.close(); return; }
    connection = current;
    reconnectBackoffMs = firstBackoffMs;
    lastLineMs = now();
    if (lostAtMs !== null) notice(`SSH connection re-established after ${((now() - lostAtMs) / 1000).toFixed(1)} s without samples`);
    lostAtMs = null;
    const onLost = (why: string): void => { if (connection === current) connectionLost(why); };
    current.client.on('error', (error: Error) => onLost(error.message));
    current.client.on('close', () => onLost('connection closed'));
    if (orphanPids.length > 0) {
      // Process groups of the previous connection may still run if the host never saw it drop.
      const pids = orphanPids;
      orphanPids = [];
      await current.exec(killGroupsCommand(pids), { timeoutMs: 10_000 }).catch(() => undefined);
    }
    if (connection === current && !isStopping) await startStreams(current);
  }

  function scheduleConnect(delayMs: number): void {
    reconnectTimer = setTimeout(() => { reconnectTimer = undefined; if (!isStopping) connecting = connectOnce(); }, delayMs);
  }

  function connectionLost(why: string): void {
    const lost = connection;
    if (!lost) return;
    connection = null;
    lostAtMs = now();
    orphanPids.push(...livePids);
    livePids.clear();
    const dying = streams;
    streams = [];
    void Promise.all(dying.map((s) => s.stop()));
    lost.client.destroy();
    linkRates.clear();
    nvlinkDeltas.reset();
    hostRates.reset();
    notice(`SSH connection lost (${why}); no samples until it is back; reconnecting in ${reconnectBackoffMs} ms`);
    const delayMs = reconnectBackoffMs;
    reconnectBackoffMs = Math.min(maxBackoffMs, reconnectBackoffMs * 2);
    scheduleConnect(delayMs);
  }

  const ticker = setInterval(() => {
    if (connection && streams.length > 0 && now() - lastLineMs > staleAfterMs) {
      connectionLost(`no data from the host for ${now() - lastLineMs} ms`);
    }
    const batch: TelemetryBatch = { hosts: pendingHosts, gpus: pendingGpus, notices: pendingNotices };
    pendingHosts = [];
    pendingGpus = [];
    pendingNotices = [];
    if (batch.hosts.length + batch.gpus.length + batch.notices.length > 0) options.onBatch(batch);
  }, intervalMs);

  const onAbort = (): void => { void sampler.stop(); };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  connecting = connectOnce();

  let stopped: Promise<void> | undefined;
  const sampler: RemoteSampler = {
    get isConnected() { return connection !== null; },
    get remotePids() { return [...livePids]; },
    stop() {
      stopped ??= (async () => {
        isStopping = true;
        options.signal?.removeEventListener('abort', onAbort);
        if (reconnectTimer) clearTimeout(reconnectTimer);
        abortConnect.abort();
        await connecting.catch(() => undefined);
        clearInterval(ticker);
        const current = connection;
        const pids = [...livePids, ...orphanPids];
        // Streams learn they are stopping first (synchronously), so the kill below is not taken for a breakage.
        const streamsStopped = Promise.all(streams.map((s) => s.stop()));
        if (current && pids.length > 0) await current.exec(killGroupsCommand(pids), { timeoutMs: 5000 }).catch(() => undefined);
        connection = null;
        await streamsStopped;
        streams = [];
        if (current) await closeClient(current.client);
        if (pendingNotices.length + pendingGpus.length + pendingHosts.length > 0) {
          options.onBatch({ hosts: pendingHosts, gpus: pendingGpus, notices: pendingNotices });
        }
      })();
      return stopped;
    },
  };
  return sampler;
}

function closeClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { client.destroy(); resolve(); }, 2000);
    client.once('close', () => { clearTimeout(timer); resolve(); });
    client.end();
  });
}
