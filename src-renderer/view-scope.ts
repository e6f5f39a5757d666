/**
 * The disposables habit of the views: everything a view (or a part of one) starts goes through its
 * scope, and `dispose()` undoes all of it on a tab switch. ECharts instances made by `scope.chart`
 * are disposed, the one window resize listener of the scope is removed, API subscriptions,
 * timers and listeners are released, child scopes (a run panel inside a view) go first.
 */
import { echarts } from './charts/echarts-setup.js';
import { currentChartTheme, onChartThemeChange } from './charts/chart-theme.js';

/** An ECharts instance as the views use it. */
export type Chart = ReturnType<typeof echarts.init>;

/** What a view started, undone in reverse order by `dispose()`. */
export class ViewScope {
  private disposers: (() => void)[] = [];
  private readonly charts = new Set<Chart>();
  private offWindow: (() => void) | null = null;
  private disposed = false;

  /** True once disposed: late async results should be dropped. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Runs `dispose` when the scope is disposed (at once if it already is). */
  add(dispose: () => void): void {
    if (this.disposed) dispose();
    else this.disposers.push(dispose);
  }

  /** A scope disposed with this one (or earlier, by itself). */
  child(): ViewScope {
    const child = new ViewScope();
    const release = () => child.dispose();
    this.add(release);
    child.add(() => { this.disposers = this.disposers.filter((d) => d !== release); });
    return child;
  }

  /** An ECharts instance in `dom` with the system scheme's theme, resized with the window, disposed with the scope. */
  chart(dom: HTMLElement, heightPx = 240): Chart {
    const chart = echarts.init(dom, currentChartTheme(), { renderer: 'canvas', width: 'auto', height: heightPx });
    this.charts.add(chart);
    if (!this.offWindow) {
      const resize = () => this.charts.forEach((c) => c.resize());
      window.addEventListener('resize', resize);
      const offTheme = onChartThemeChange((theme) => this.charts.forEach((c) => c.setTheme(theme)));
      this.offWindow = () => { window.removeEventListener('resize', resize); offTheme(); };
    }
    return chart;
  }

  /** Disposes one chart of this scope now (a panel redrawn with other charts). */
  disposeChart(chart: Chart): void {
    if (this.charts.delete(chart)) chart.dispose();
  }

  /** `target.addEventListener` until the scope is disposed. */
  listen<K extends keyof WindowEventMap>(target: Window, type: K, listener: (event: WindowEventMap[K]) => void): void;
  listen(target: EventTarget, type: string, listener: EventListener): void;
  listen(target: EventTarget, type: string, listener: EventListener): void {
    target.addEventListener(type, listener);
    this.add(() => target.removeEventListener(type, listener));
  }

  /** `setInterval` until the scope is disposed. */
  interval(callback: () => void, everyMs: number): void {
    const timer = window.setInterval(callback, everyMs);
    this.add(() => window.clearInterval(timer));
  }

  /** Undoes everything, children and charts included; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const disposers = this.disposers.splice(0).reverse();
    for (const dispose of disposers) {
      try { dispose(); } catch (error) { console.error('dispose failed', error); }
    }
    this.charts.forEach((c) => c.dispose());
    this.charts.clear();
    this.offWindow?.();
    this.offWindow = null;
  }
}
