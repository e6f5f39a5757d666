/** Renders an ECharts option to an SVG string on the server (no DOM, no JavaScript needed to view it). */
import * as echarts from 'echarts';

/** SVG markup of `option` at the given size. */
export function renderChartSvg(option: Record<string, unknown>, widthPx = 760, heightPx = 320): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: widthPx, height: heightPx });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
