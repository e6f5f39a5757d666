/**
 * The charts' two themes, dark and light, following the system's colour scheme like the page
 * (prefers-color-scheme): axis labels, legend text, split lines and bar labels come from the theme,
 * never from an option, so a scheme change repaints every live chart with `setTheme`.
 */
import { echarts } from './echarts-setup.js';

/** A theme name ECharts knows. */
export type ChartThemeName = 'shardscope-dark' | 'shardscope-light';

function theme(text: string, muted: string, line: string): object {
  const axis = {
    axisLabel: { color: muted }, nameTextStyle: { color: muted },
    axisLine: { lineStyle: { color: line } }, axisTick: { lineStyle: { color: line } },
    splitLine: { lineStyle: { color: line } },
  };
  return {
    backgroundColor: 'transparent',
    textStyle: { color: text },
    legend: { textStyle: { color: text } },
    title: { textStyle: { color: text } },
    valueAxis: axis, categoryAxis: axis, timeAxis: { ...axis, splitLine: { show: false } }, logAxis: axis,
    bar: { label: { color: text } },
    tooltip: { backgroundColor: line === '#2a3441' ? '#171e26' : '#ffffff', borderColor: line, textStyle: { color: text } },
  };
}

// The same colours as styles.css (--text, --muted, --line of each scheme).
echarts.registerTheme('shardscope-dark', theme('#d8e0e8', '#8794a3', '#2a3441'));
echarts.registerTheme('shardscope-light', theme('#1b1f24', '#5a6472', '#d5dbe3'));

const lightQuery = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: light)') : null;

/** The theme of the system's colour scheme now. */
export function currentChartTheme(): ChartThemeName {
  return lightQuery?.matches ? 'shardscope-light' : 'shardscope-dark';
}

/** Calls `listener` with the new theme when the system's colour scheme changes; returns the unsubscribe. */
export function onChartThemeChange(listener: (theme: ChartThemeName) => void): () => void {
  if (!lightQuery) return () => {};
  const handler = () => listener(currentChartTheme());
  lightQuery.addEventListener('change', handler);
  return () => lightQuery.removeEventListener('change', handler);
}
