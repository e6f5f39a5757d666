/**
 * The reconnect supervisor of a host sampler: opens a link through the launcher, re-opens it with
 * backoff when it fails, drops or goes silent, and keeps the process groups started through it, so
 * groups a host never saw die are ended on the next link and everything is ended on stop. Every
 * break is a notice and leaves a gap: no sample is made up.
 */
import type { SamplerLauncher, SamplerLink } from './sampler-link.js';

/** What the supervisor drives. */
export interface LinkSupervisorOptions {
  launcher: SamplerLauncher;
  notice(message: string): void;
  /** Starts the sampler's channels on a new link. */
  onLink(link: SamplerLink, signal: AbortSignal): Promise<void>;
  /** The link broke: the channels are to be dropped (not awaited) and the rates forgotten. */
  onLost(): void;
  /** No line on any channel for this long means the link is lost (links that can be lost only). */
  staleAfterMs: number;
  /** First reconnect delay, doubling up to maxBackoffMs. */
  restartBackoffMs: number;
  maxBackoffMs: number;
  now: () => number;
}

/** Keeps one host's link open until stop(). */
export class LinkSupervisor {
  private link: SamplerLink | null = null;
  private readonly livePids = new Set<number>();
  private orphanPids: number[] = [];
  private lastLineMs: number;
  private lostAtMs: number | null = null;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connecting: Promise<void> = Promise.resolve();
  private isStopping = false;
  private readonly abortConnect = new AbortController();

  constructor(private readonly options: LinkSupervisorOptions) {
    this.lastLineMs = options.now();
    this.backoffMs = options.restartBackoffMs;
  }

  /** Whether a link is up now. */
  get isConnected(): boolean {
    return this.link !== null;
  }

  /** Whether `link` is the link up now (not one lost since). */
  isCurrent(link: SamplerLink): boolean {
    return this.link === link;
  }

  /** Process groups running now (local pids, or remote group ids on an SSH host). */
  get processIds(): number[] {
    return [...this.livePids];
  }

  /** Opens the first link. */
  start(): void {
    this.connecting = this.connectOnce();
  }

  /** Records a process group's start or end (from its `@@pid` line). */
  readonly onPid = (pid: number, isRunning: boolean): void => {
    if (isRunning) this.livePids.add(pid);
    else this.livePids.delete(pid);
  };

  /** A line arrived on some channel. */
  touch(): void {
    this.lastLineMs = this.options.now();
  }

  /** Declares the link lost when it has channels and said nothing for too long. */
  checkStale(hasChannels: boolean): void {
    const silentMs = this.options.now() - this.lastLineMs;
    if (this.link && this.options.launcher.canBeLost && hasChannels && silentMs > this.options.staleAfterMs) {
      this.linkLost(this.link, `no data from the host for ${silentMs} ms`);
    }
  }

  /** Stops reconnecting, stops the channels (stopChannels), ends every group and closes the link. */
  async stop(stopChannels: () => Promise<void>): Promise<void> {
    this.isStopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.abortConnect.abort();
    await this.connecting.catch(() => undefined);
    const current = this.link;
    const pids = [...this.livePids, ...this.orphanPids];
    // Channels learn they are stopping first (synchronously), so the kill below is not taken for a breakage.
    const channelsStopped = stopChannels();
    if (current && pids.length > 0) await current.killGroups(pids);
    this.link = null;
    await channelsStopped;
    if (current) await current.close();
  }

  private async connectOnce(): Promise<void> {
    const { launcher, notice, now } = this.options;
    let current: SamplerLink;
    try {
      current = await launcher.connect(this.abortConnect.signal);
    } catch (error) {
      if (this.isStopping) return;
      notice(`${launcher.linkName} failed (${error instanceof Error ? error.message : String(error)}); retrying in ${this.backoffMs} ms`);
      this.scheduleConnect();
      return;
    }
    if (this.isStopping) { await current.close(false); return; }
    this.link = current;
    this.backoffMs = this.options.restartBackoffMs;
    this.lastLineMs = now();
    if (this.lostAtMs !== null) notice(`${launcher.linkName} re-established after ${((now() - this.lostAtMs) / 1000).toFixed(1)} s without samples`);
    this.lostAtMs = null;
    current.onLost((why) => { if (this.link === current) this.linkLost(current, why); });
    if (this.orphanPids.length > 0) {
      // Process groups of the previous link may still run if the host never saw it drop.
      const pids = this.orphanPids;
      this.orphanPids = [];
      await current.killGroups(pids);
    }
    if (this.link === current && !this.isStopping) await this.options.onLink(current, this.abortConnect.signal);
  }

  private scheduleConnect(): void {
    const delayMs = this.backoffMs;
    this.backoffMs = Math.min(this.options.maxBackoffMs, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.isStopping) this.connecting = this.connectOnce();
    }, delayMs);
  }

  private linkLost(lost: SamplerLink, why: string): void {
    this.link = null;
    this.lostAtMs = this.options.now();
    this.orphanPids.push(...this.livePids);
    this.livePids.clear();
    this.options.onLost();
    void lost.close(false);
    this.options.notice(`${this.options.launcher.linkName} lost (${why}); no samples until it is back; reconnecting in ${this.backoffMs} ms`);
    this.scheduleConnect();
  }
}
