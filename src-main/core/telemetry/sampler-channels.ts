/**
 * The channels of a host sampler on one link, each a restarting stream with its parser: the /proc
 * loop (host samples), then, where the probe finds nvidia-smi, the query stream (GPU samples with the
 * link rates joined on), the compute-apps loop (process snapshots with users), `dmon -s t` (PCIe) and,
 * where the GPUs have NVLink counters, the NVLink loop.
 */
import { GpuLinkRates, NvlinkDeltas } from './host-sampler-merge.js';
import { ProcLoopParser, RemoteHostRates } from './remote-proc-parse.js';
import type { SampleBatcher } from './sampler-batcher.js';
import type { SamplerScripts } from './sampler-commands.js';
import type { PidListener, SamplerLink } from './sampler-link.js';
import { startRestartingStream, type RestartingStream } from './sampler-stream.js';
import type { SamplerTiming } from './sampler-timing.js';
import { parseComputeApps, parseUserLines, withUsers } from './smi-compute-apps-parse.js';
import { DmonParser, pcieThroughputOf } from './smi-dmon-parse.js';
import { hasNvlinkCounters, parseNvlink } from './smi-nvlink-parse.js';
import { parseGpuQueryLine } from './smi-query-parse.js';
import { REMOTE_COMMAND_TIMEOUT_MS } from '../ssh/exec.js';

/** What the channels need from the sampler. */
export interface SamplerChannelsOptions {
  hostId: string;
  batcher: SampleBatcher;
  scripts: SamplerScripts;
  /** nvidia-smi the scripts run, or null when GPU telemetry is off (only the /proc loop runs). */
  smiPath: string | null;
  timing: SamplerTiming;
  cpuTdpWatts: number | null;
  restartBackoffMs: number;
  maxBackoffMs: number;
  /** A stream that prints every interval (query stream, /proc loop) and is silent this long is restarted as hung. */
  silenceLimitMs: number;
  now: () => number;
  /** A line arrived (for the supervisor's silence check). */
  onAnyLine(): void;
  onPid: PidListener;
}

/** The channels of the current link; open() per link, drop() when it breaks, stop() at the end. */
export class SamplerChannels {
  private streams: RestartingStream[] = [];
  private readonly linkRates: GpuLinkRates;
  private readonly nvlinkDeltas = new NvlinkDeltas();
  private readonly hostRates: RemoteHostRates;

  constructor(private readonly options: SamplerChannelsOptions) {
    this.linkRates = new GpuLinkRates(options.timing.linkRateMaxAgeMs);
    this.hostRates = new RemoteHostRates(options.hostId, options.cpuTdpWatts);
  }

  /** Whether any channel is open. */
  get hasChannels(): boolean {
    return this.streams.length > 0;
  }

  /** Opens the channels on `link` (the probe decides which GPU channels); `signal` cancels the probe. */
  async open(link: SamplerLink, isCurrent: () => boolean, signal: AbortSignal): Promise<void> {
    const { batcher, hostId, now, scripts } = this.options;
    const procParser = new ProcLoopParser();
    this.openStream(link, 'host /proc loop', scripts.procLoop, { printsEveryInterval: true }, (line) => {
      const frame = procParser.pushLine(line);
      const sample = frame ? this.hostRates.next(frame, now()) : null;
      if (sample) batcher.addHost(sample);
    });
    const smiPath = this.options.smiPath;
    if (smiPath === null) return;
    const probe = await link.run(scripts.probe, REMOTE_COMMAND_TIMEOUT_MS, signal);
    if (!isCurrent() || signal.aborted) return; // lost or stopping meanwhile: no channel is opened
    if (probe.exitCode === 127) { batcher.notice(`GPU telemetry off: ${smiPath} not found on the host`); return; }
    let hasBadLine = false;
    this.openStream(link, 'nvidia-smi query stream', scripts.gpuQuery, { printsEveryInterval: true }, (line) => {
      if (line.trim() === '') return;
      const result = parseGpuQueryLine(line, hostId, now());
      if (result.ok) batcher.addGpu(this.linkRates.enrich(result.sample));
      else if (!hasBadLine) { hasBadLine = true; batcher.notice(`nvidia-smi stream: unreadable line (${result.reason})`); }
    });
    let appsLines: string[] = [];
    this.openStream(link, 'nvidia-smi compute-apps loop', scripts.processLoop, { printsEveryInterval: false }, (line) => {
      if (!line.startsWith('@@end')) { appsLines.push(line); return; }
      if (line.trim() === '@@end 0') {
        const rows = appsLines.filter((l) => !l.startsWith('@@user '));
        batcher.addProcesses({ hostId, timestampMs: now(), processes: withUsers(parseComputeApps(rows.join('\n')), parseUserLines(appsLines)) });
      }
      appsLines = [];
    });
    const dmon = new DmonParser();
    this.openStream(link, 'nvidia-smi dmon', scripts.dmon, { printsEveryInterval: false }, (line) => {
      const result = dmon.pushLine(line);
      const pcie = result.kind === 'row' ? pcieThroughputOf(result.row) : null;
      if (pcie) this.linkRates.setPcie(pcie, now());
    });
    if (!isNvlinkOutput(probe.stdout)) return;
    let reading: string[] = [];
    this.openStream(link, 'nvidia-smi nvlink loop', scripts.nvlinkLoop, { printsEveryInterval: false }, (line) => {
      if (!line.startsWith('@@end')) { reading.push(line); return; }
      const text = reading.join('\n');
      reading = [];
      try {
        this.linkRates.setNvlink(this.nvlinkDeltas.next(parseNvlink(text), now()), now());
      } catch (error) {
        this.nvlinkDeltas.reset();
        batcher.notice(`NVLink counters unreadable: ${(error as Error).message}`);
      }
    });
  }

  /** The link broke: its channels are stopped (not awaited) and no rate spans the gap. */
  drop(): void {
    const dying = this.streams;
    this.streams = [];
    void Promise.all(dying.map((s) => s.stop()));
    this.linkRates.clear();
    this.nvlinkDeltas.reset();
    this.hostRates.reset();
  }

  /** Stops every channel; each learns it is stopping at once, the promise resolves once all ended. */
  stop(): Promise<void> {
    const all = this.streams;
    this.streams = [];
    return Promise.all(all.map((s) => s.stop())).then(() => undefined);
  }

  private openStream(link: SamplerLink, name: string, script: string, kind: { printsEveryInterval: boolean }, onLine: (line: string) => void): void {
    const { batcher, onAnyLine, onPid, restartBackoffMs, maxBackoffMs, silenceLimitMs } = this.options;
    this.streams.push(startRestartingStream({
      name, restartBackoffMs, maxBackoffMs, ...(kind.printsEveryInterval ? { silenceLimitMs } : {}),
      onNotice: (message) => batcher.notice(message),
      onLine: (line) => { onAnyLine(); onLine(line); },
      launch: link.stream(script, onPid),
    }));
  }
}

function isNvlinkOutput(text: string): boolean {
  try { return hasNvlinkCounters(parseNvlink(text)); } catch { return false; }
}
