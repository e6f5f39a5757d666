import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '/work/main/src-main/core/store/run-store.js';
import { recordRealRun, discoverTestHost } from '/work/main/test/core/report/support/record-run.js';
import { buildReport } from '/work/main/src-main/core/report/build-report.js';
import { writeReport } from '/work/main/src-main/core/report/write-report.js';
import { reportSchema } from '/work/main/src-shared/report-schema.js';
async function main() {
const dir = mkdtempSync(join(tmpdir(), 'rep-'));
const store = RunStore.open(join(dir, 's.db'));
const inv = await discoverTestHost();
let t = Date.now();
for (const [id, s] of [['dp4', {dp:4,tp:1,pp:1}], ['tp2pp2', {dp:1,tp:2,pp:2}], ['pp4', {dp:1,tp:1,pp:4}]] as const) {
  await recordRealRun(store, { id, strategy: s, steps: 4, inventory: inv });
  console.log(id, Date.now() - t); t = Date.now();
}
const report = buildReport(store, ['dp4','tp2pp2','pp4']);
reportSchema.parse(report);
console.log(report.comparison);
for (const r of report.runs) console.log(r.id, JSON.stringify(r.measured).slice(0, 600), r.predictionChecks);
for (const f of ['html','json','trace','pdf'] as const) { t=Date.now(); console.log(await writeReport(report, {format: f, outPath: join(dir, 'r.'+f)}), Date.now()-t); }
console.log(await writeReport(report, {format: 'csv', outPath: join(dir, 'r.zip')}));
console.log(await writeReport(report, {format: 'csv', outPath: join(dir, 'csv/')}));
console.log(dir);

}
main();
