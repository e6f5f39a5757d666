import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildReport } from '../../../src-main/core/report/build-report.js';
import { RUN_SECTION_TITLES } from '../../../src-main/core/report/render-html.js';
import { renderTrace, type TraceFile } from '../../../src-main/core/report/render-trace.js';
import { writeReport } from '../../../src-main/core/report/write-report.js';
import { RunStore } from '../../../src-main/core/store/run-store.js';
import { gpuSpec } from '../../../src-shared/planner/catalogue.js';
import { modelFlopsPerStep, resolveModel } from '../../../src-shared/planner/model-math.js';
import { reportSchema, type Report } from '../../../src-shared/report-schema.js';
import { formatSignificant } from '../../../src-shared/units.js';
import { launchChromium } from '../../support/chromium.js';
import { testOutputDir } from '../../support/paths.js';
import { discoverTestHost, recordRealRun, TINY4 } from './support/record-run.js';

// Three real runs of the same 4-layer tiny model: dp4, tp2 x pp2, pp4 (4 ranks each, 4 steps).
const RUNS = [
  { id: 'dp4', strategy: { dp: 4, tp: 1, pp: 1 } },
  { id: 'tp2pp2', strategy: { dp: 1, tp: 2, pp: 2 } },
  { id: 'pp4', strategy: { dp: 1, tp: 1, pp: 4 } },
];
let dir = '';
let store: RunStore;
let report: Report;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shardscope-report-'));
  store = RunStore.open(join(dir, 'store.db'));
  const inventory = await discoverTestHost();
  for (const run of RUNS) await recordRealRun(store, { ...run, steps: 4, inventory });
  report = buildReport(store, RUNS.map((r) => r.id));
});

after(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the JSON report validates against its schema and matches the store', async () => {
  const written = await writeReport(report, { format: 'json', outPath: join(dir, 'report.json') });
  const parsed = reportSchema.parse(JSON.parse(readFileSync(written.path, 'utf8')));
  assert.equal(parsed.schemaVersion, 1);
  const listed = store.listRuns();
  for (const run of parsed.runs) {
    const item = listed.find((l) => l.id === run.id);
    assert.ok(item);
    assert.equal(run.measured.tokensPerSecond, item.tokensPerSecond);
    assert.equal(run.measured.energy.joulesPerToken, item.joulesPerToken);
    assert.equal(run.ranks.length, 4);
    assert.equal(run.inventory.origin, 'recorded');
    assert.ok(run.inventory.hosts[0].gpus.length > 0, 'inventory of the stand-in GPUs kept');
    assert.ok(run.loss.length === 4 && run.loss.every((l) => Number.isFinite(l.loss)));
    assert.ok(run.series.some((s) => s.metric === 'powerWatts') && run.series.some((s) => s.metric === 'cpuPowerWatts'));
    assert.ok(run.predictionChecks.length > 0 && run.predictionChecks.some((c) => c.errorFraction !== null));
  }
});

test('bytes by parallelism kind: only the grid\'s axes move bytes, and together they are all the bytes sent', async () => {
  for (const run of report.runs) {
    const byKind = run.measured.bytesSentPerStepPerRankByParallelism;
    assert.ok(byKind, `${run.id}: the engine reported bytes by parallelism kind`);
    for (const kind of ['dp', 'tp', 'pp'] as const) {
      assert.equal(byKind[kind] > 0, Number(run.strategy[kind] ?? 1) > 1, `${run.id}: ${kind} bytes only where ${kind} > 1`);
    }
    const total = byKind.dp + byKind.tp + byKind.pp;
    assert.ok(Math.abs(total - run.measured.bytesSentPerStepPerRank) <= 1e-9 * total, `${run.id}: kinds sum to the bytes sent`);
    if (run.prediction ?? run.plan) assert.ok(run.predictionChecks.some((c) => c.metric === 'commBytesPerStepPerGpu.dp'), `${run.id}: per-kind prediction rows`);
  }
  const written = await writeReport(report, { format: 'html', outPath: join(dir, 'by-kind.html') });
  assert.ok(readFileSync(written.path, 'utf8').includes('By parallelism kind'), 'the HTML bandwidth section has the by-kind table');
});

test('TFLOP/s and MFU follow the planner formulas from the measured step times', () => {
  for (const run of report.runs) {
    const tokensPerStep = run.measured.tokens / run.measured.steps;
    const flops = modelFlopsPerStep(resolveModel({ ...TINY4 }), tokensPerStep / TINY4.seqLen, TINY4.seqLen);
    const expected = (flops * run.measured.steps) / run.measured.trainingSeconds / 4;
    assert.ok(Math.abs((run.measured.tflopsPerDevice as number) * 1e12 - expected) / expected < 1e-9);
    assert.ok(Math.abs((run.measured.mfu as number) - expected / gpuSpec('cpu').fp32FlopsPerSecond) < 1e-12);
  }
});

test('the comparison names the fastest run and the one with least energy per token, from measured data', () => {
  const c = report.comparison;
  assert.ok(c);
  const listed = store.listRuns().filter((l) => RUNS.some((r) => r.id === l.id));
  const fastest = listed.reduce((a, b) => ((b.tokensPerSecond ?? 0) > (a.tokensPerSecond ?? 0) ? b : a));
  const frugal = listed.reduce((a, b) => ((b.joulesPerToken ?? Infinity) < (a.joulesPerToken ?? Infinity) ? b : a));
  assert.equal(c.fastestRunId, fastest.id);
  assert.equal(c.leastEnergyPerTokenRunId, frugal.id);
  // Distinct labels (the three strategies differ, so no id suffix) and every run finished: all ranked, differences named.
  const label = (id: string) => c.rows.find((r) => r.runId === id)?.label as string;
  assert.deepEqual(c.rows.map((r) => r.label), report.runs.map((r) => r.strategyLabel));
  assert.deepEqual(c.unrankedRunIds, []);
  assert.ok(c.rows.every((r) => r.status === 'finished' && r.steps === 4));
  assert.deepEqual(c.differences.filter((d) => ['dp', 'tp', 'pp'].includes(d.field)).map((d) => d.field), ['dp', 'tp', 'pp']);
  const match = /^Fastest: (.+) \(run (\S+)\) at ([\d,.]+) tokens\/s; least energy per token: (.+) \(run (\S+)\) at ([\d,.]+) J\/token \(measured\)\. Differs: dp .*\.$/.exec(c.verdict);
  assert.ok(match, c.verdict);
  assert.equal(match[1], label(fastest.id));
  assert.equal(match[2], fastest.id);
  assert.equal(match[3], formatSignificant(fastest.tokensPerSecond));
  assert.equal(match[4], label(frugal.id));
  assert.equal(match[5], frugal.id);
  assert.equal(match[6], formatSignificant(frugal.joulesPerToken));
});

test('the Chrome trace is valid Trace Event JSON with every rank\'s spans at real times and memory/power counters', async () => {
  const written = await writeReport(report, { format: 'trace', outPath: join(dir, 'trace.json') });
  const trace = JSON.parse(readFileSync(written.path, 'utf8')) as TraceFile;
  assert.deepEqual(trace, JSON.parse(JSON.stringify(renderTrace(report))));
  for (const e of trace.traceEvents) {
    assert.equal(typeof e.name, 'string');
    assert.ok(['X', 'M', 'C'].includes(e.ph));
    assert.ok(Number.isFinite(e.ts) && Number.isInteger(e.pid) && Number.isInteger(e.tid));
    if (e.ph === 'X') assert.ok((e.dur as number) >= 0);
  }
  const kinds = /^(step|forward|backward|optimizer|data|allReduce|reduceScatter|allGather|broadcast|send|recv|barrier|wait)\b/;
  report.runs.forEach((run, runIndex) => {
    assert.ok(run.spans, `${run.id} recorded spans`);
    for (const { rank, host, device } of run.ranks) {
      const pid = runIndex * 1000 + rank;
      const spans = trace.traceEvents.filter((e) => e.pid === pid && e.ph === 'X');
      const name = trace.traceEvents.find((e) => e.pid === pid && e.name === 'process_name');
      assert.ok(String(name?.args?.name).includes(`rank ${rank} (${host} ${device})`), `names rank ${rank} of ${run.id} with host and device`);
      assert.equal(spans.filter((e) => e.cat === 'step').length, 4, `4 step spans for rank ${rank} of ${run.id}`);
      for (const e of spans) assert.match(e.name, kinds);
      for (const e of spans.filter((x) => x.cat !== 'step')) assert.ok(e.args?.rank === rank && typeof e.args?.stage === 'number' && typeof e.args?.step === 'number');
      assert.ok(spans.some((e) => e.name.startsWith('forward') && e.tid === 0) && spans.some((e) => e.name.startsWith('optimizer')));
      assert.ok(spans.filter((e) => e.tid === 1).every((e) => typeof e.args?.bytes === 'number'), 'collectives carry their bytes');
      // Spans sit inside the run, at real times.
      const runStartUs = (run.startedAtMs - (trace.otherData.originTimestampMs as number)) * 1000;
      assert.ok(spans.every((e) => e.ts >= runStartUs), 'no span before the run started');
    }
  });
  assert.ok(trace.traceEvents.some((e) => e.name === 'wait recv pp' && (e.dur as number) > 0), 'pipeline runs show their bubbles as waits for the neighbouring stage');
  assert.ok(trace.traceEvents.some((e) => e.ph === 'C' && e.name.startsWith('powerWatts')) && trace.traceEvents.some((e) => e.ph === 'C' && /memory/i.test(e.name)), 'power and memory counters');
});

const UNIT_SUFFIX = /(Bytes|Watts|Percent|Mhz|Celsius|PerSecond|PerToken|Seconds|Ms|Joules)$/;
const PLAIN_COLUMNS = new Set(['step', 'rank', 'loss', 'runId', 'strategy', 'label', 'status', 'steps', 'stepsPlanned', 'mfu', 'host', 'gpuIndex', 'gpu', 'usedByRun', 'ranks', 'cpuSource', 'device', 'gpuIndexes', 'gpuSharedByRanks']);

function checkCsvHeaders(name: string, text: string): void {
  const header = text.split('\n')[0].split(',');
  for (const column of header) assert.ok(UNIT_SUFFIX.test(column) || column.startsWith("bytes") || PLAIN_COLUMNS.has(column), `${name}: column "${column}" carries no unit`);
}

test('CSV export: one file per series group, units in every header, as a folder and as a zip', async () => {
  const folder = await writeReport(report, { format: 'csv', outPath: join(dir, 'csv/') });
  const names = readdirSync(join(dir, 'csv'));
  assert.ok(names.includes('dp4-gpu-memoryUsedBytes.csv') && names.includes('pp4-rank-steps.csv') && names.includes('comparison.csv'));
  for (const name of names) checkCsvHeaders(name, readFileSync(join(dir, 'csv', name), 'utf8'));
  assert.equal(folder.files.length, names.length);
  const power = readFileSync(join(dir, 'csv', 'dp4-gpu-powerWatts.csv'), 'utf8').trim().split('\n');
  assert.match(power[0], /^timestampMs,local\.gpu0\.powerWatts$/);
  assert.ok(power.length > 3);

  const zip = await writeReport(report, { format: 'csv', outPath: join(dir, 'series.zip') });
  // an independent reader (Python's zipfile) checks CRCs and reads the same files back
  const listing = execFileSync('python3', ['-c', 'import sys,zipfile,json;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;print(json.dumps({n:z.read(n).decode() for n in z.namelist()}))', zip.path], { encoding: 'utf8' });
  const files = JSON.parse(listing) as Record<string, string>;
  assert.deepEqual(Object.keys(files).sort(), [...names].sort());
  for (const name of names) assert.equal(files[name], readFileSync(join(dir, 'csv', name), 'utf8'));
});

test('HTML report opened offline in Chromium shows every section and chart (no JavaScript needed)', async () => {
  const single = buildReport(store, ['tp2pp2']);
  const outDir = testOutputDir('report');
  for (const [name, r] of [['single', single], ['comparison', report]] as const) {
    const written = await writeReport(r, { format: 'html', outPath: join(dir, `${name}.html`) });
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const blocked: string[] = [];
      await context.route('**', (route) => (route.request().url().startsWith('file:') ? route.continue() : (blocked.push(route.request().url()), route.abort())));
      await context.setOffline(true);
      const page = await context.newPage();
      await page.goto(pathToFileURL(written.path).href, { waitUntil: 'load' });
      assert.deepEqual(blocked, [], 'the report asks for nothing outside its file');
      for (const run of r.runs) {
        const section = page.locator(`section.run[data-run-id="${run.id}"]`);
        const headings = await section.locator('h3').allTextContents();
        assert.deepEqual(headings, Object.values(RUN_SECTION_TITLES));
        // Per-rank span summary beside the prediction: one row per rank; pipeline runs also compare the bubble with (p-1)/(m+p-1).
        assert.equal(await section.locator('table.spans tbody tr').count(), run.ranks.length);
        assert.equal(await section.locator('table.bubble').count(), Number(run.strategy.pp) > 1 ? 1 : 0);
        const charts = section.locator('figure.chart');
        const ids = await charts.evaluateAll((els) => els.map((el) => el.getAttribute('data-chart-id')));
        for (const prefix of ['memory-', 'memory-peak-', 'framework-memory-', 'bandwidth-', 'power-', 'steptime-', 'loss-']) {
          assert.ok(ids.includes(`${prefix}${run.id}`), `chart ${prefix}${run.id}`);
        }
        const shapes = await charts.evaluateAll((els) => els.map((el) => ({
          svg: el.querySelectorAll('.chart-svg > svg').length, paths: el.querySelectorAll('svg path').length,
          data: JSON.parse(el.querySelector('script[type="application/json"]')?.textContent ?? 'null'),
          box: el.querySelector('svg')?.getBoundingClientRect().height ?? 0,
        })));
        for (const s of shapes) {
          assert.equal(s.svg, 1);
          assert.ok(s.paths > 0 && s.box > 100, 'the SVG is drawn');
          assert.ok(s.data.rows.length > 0, 'the data behind the chart is embedded');
        }
      }
      if (r.comparison) assert.equal(await page.locator('#verdict').textContent(), r.comparison.verdict);
      await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: name === 'single' });
    } finally {
      await browser.close();
    }
  }
});

test('PDF report turns into pages with pdftoppm and its text holds the sections and key figures', async () => {
  const written = await writeReport(report, { format: 'pdf', outPath: join(dir, 'report.pdf') });
  const pagesDir = join(testOutputDir('report'), 'pdf-pages');
  rmSync(pagesDir, { recursive: true, force: true });
  mkdirSync(pagesDir, { recursive: true });
  execFileSync('pdftoppm', ['-png', '-r', '50', written.path, join(pagesDir, 'page')]);
  const pages = readdirSync(pagesDir).filter((n) => n.endsWith('.png'));
  assert.ok(pages.length >= report.runs.length + 1, `${pages.length} pages`);
  const text = execFileSync('pdftotext', [written.path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const title of ['Comparison', ...Object.values(RUN_SECTION_TITLES)]) assert.ok(text.includes(title), `PDF text has "${title}"`);
  assert.ok(text.includes((report.comparison?.verdict ?? '').split(';')[0].replace(/\s+/g, ' ')), 'PDF text has the verdict');
  for (const run of report.runs) assert.ok(text.includes(`Run ${run.id}`));
});
