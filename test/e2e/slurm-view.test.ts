/**
 * End to end against a real two-node Slurm cluster: "Add Slurm cluster" in the Hosts view lists
 * its nodes; the Run view previews the sbatch script, submits it, shows the job's state and the
 * run's live panel, and Stop cancels the job with nothing left on the nodes; the Planner launches a
 * plan on the cluster (script shown before submit) and it runs to its end. Headless Chromium.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';
import { slurmAccountingUnavailableReason, startSlurmCluster, type SlurmCluster } from '../support/slurm-cluster/index.js';

const skip = slurmAccountingUnavailableReason() ?? false;
let cluster: SlurmCluster;
let app: AppProcess;
let browser: Browser;

before(async () => {
  if (skip) return;
  // With accounting (slurmdbd + MariaDB): the app shows what sacct kept of a job.
  cluster = await startSlurmCluster({ withAccounting: true });
  cluster.slurm('sacctmgr', ['-i', 'add', 'account', 'research']);
  cluster.slurm('sacctmgr', ['-i', 'add', 'user', 'root', 'account=research']);
  app = await startWebApp(['--web', '--interval-ms', '500'], { SHARDSCOPE_HOME: mkdtempSync(join(tmpdir(), 'shardscope-home-')), ...cluster.env });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await cluster?.stop();
});

test('add a Slurm cluster, preview and submit a job from the Run view, watch it run, stop it with scancel', { skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  await page.goto(app.url);
  // No cluster known yet: the Planner's Slurm launch says what to do first.
  await planTinyOnTwoNodes(page);
  const onSlurm = page.locator('[data-launch-plan-slurm="B"]');
  assert.equal(await onSlurm.isDisabled(), true);
  assert.equal(await onSlurm.getAttribute('title'), 'add a Slurm cluster in the Hosts view first');
  await page.locator('button[data-view="hosts"]').click();
  const add = page.locator('form[data-form="add-slurm"]');
  await add.locator('[name="loginHost"]').fill('local');
  await add.getByRole('button', { name: 'Add Slurm cluster' }).click();
  await page.waitForSelector('[data-node="node2"]');
  for (const node of ['node1', 'node2']) {
    const text = (await page.locator(`[data-node="${node}"]`).textContent()) ?? '';
    assert.match(text, new RegExp(`^${node} \\[gpu\\] idle: 4 CPUs, .*rtx2080, rtx2080$`));
  }
  await page.screenshot({ path: join(testOutputDir('e2e'), 'slurm-hosts.png'), fullPage: true });
  // The nodes join the cluster the app shows, with their partition and state.
  await page.locator('button[data-view="cluster"]').click();
  await page.waitForSelector('.host-card[data-host-id="node2"]');
  const card = (await page.locator('.host-card[data-host-id="node1"] header').textContent()) ?? '';
  assert.match(card, /node1Slurm node via local · gpu · idle/);
  assert.equal(await page.locator('.host-card[data-host-id="node1"] .device-card').count(), 2);

  await page.locator('button[data-view="run"]').click();
  await page.waitForSelector('#slurm-run[data-clusters="1"]');
  await page.locator('#slurm-run [name="engine"]').selectOption('tfjs');
  const plan = page.locator('form[data-form="slurm-plan"]');
  for (const [name, value] of Object.entries({ dp: '2', tp: '1', pp: '1', steps: '3000', microBatches: '1' })) await plan.locator(`[name="${name}"]`).fill(value);
  await plan.getByRole('button', { name: 'Preview sbatch script' }).click();
  await page.waitForFunction(() => (document.querySelector('#slurm-script')?.textContent ?? '').includes('#SBATCH --nodes=2'));
  const script = (await page.locator('#slurm-script').textContent()) ?? '';
  assert.match(script, /#SBATCH --ntasks-per-node=1\n#SBATCH --gpus-per-task=1\n/);
  assert.equal(cluster.slurm('squeue', ['-h']).trim(), '', 'a preview submits nothing');

  await page.getByRole('button', { name: 'Submit job' }).click();
  await page.waitForSelector('#slurm-job-state[data-state="RUNNING"]', { timeout: 30_000 });
  assert.match((await page.locator('#slurm-job-state').textContent()) ?? '', /RUNNING on node1, node2/);
  const runId = (await page.locator('#slurm-run-message').getAttribute('data-run-id')) ?? '';
  assert.match(runId, /^run-/);
  const panel = page.locator(`.run-panel[data-run-id="${runId}"]`);
  await page.waitForFunction((id) => Number(document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-loss-points') ?? 0) >= 5, runId, { timeout: 60_000 });

  // Live energy from the nodes' GPU samples (the sampler step inside the job).
  await page.waitForFunction((id) => Number(document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-energy-joules') ?? 0) > 0, runId, { timeout: 20_000 });
  await panel.getByRole('button', { name: 'Stop' }).click();
  // Stop asks first; the confirmation is what stops the job.
  await panel.getByRole('button', { name: 'Stop this run' }).click();
  await page.waitForFunction((id) => document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-status') === 'cancelled', runId, { timeout: 20_000 });
  await page.waitForSelector('#slurm-job-state[data-state="CANCELLED"]');
  // Taken once the run has stopped: a page with live charts can take longer than the screenshot timeout on a loaded machine.
  await page.screenshot({ path: join(testOutputDir('e2e'), 'slurm-run.png'), fullPage: true });
  assert.deepEqual(cluster.jobProcesses(), [], 'nothing of the job left on the nodes');
});

test('Planner -> "Launch plan B on a Slurm cluster" (a cluster known from before): the plan and the job\'s shape fill the Slurm form, the script is shown before submit, and the job runs to its end', { skip }, async () => {
  // A new page: the cluster discovered in the first test is known to the app (slurm-clusters.json), nothing to add again.
  const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  await page.goto(app.url);
  await planTinyOnTwoNodes(page);
  const onSlurm = page.locator('[data-launch-plan-slurm="B"]');
  await page.waitForFunction(() => (document.querySelector('[data-launch-plan-slurm="B"]') as HTMLButtonElement | null)?.disabled === false, undefined, { timeout: 10_000 });
  assert.equal(await onSlurm.textContent(), 'on a Slurm cluster (2 x 1 GPU)', 'dp=2 on nodes of 1 GPU: 2 nodes');
  await onSlurm.click();

  await page.waitForURL(/#\/run$/);
  await page.waitForSelector('#slurm-run[data-from-plan="true"]');
  // Previewed at once from the plan: nothing submitted yet.
  await page.waitForFunction(() => (document.querySelector('#slurm-script')?.textContent ?? '').includes('#SBATCH --nodes=2'));
  assert.equal(cluster.slurm('squeue', ['-h']).trim(), '', 'a preview submits nothing');
  const resources = page.locator('[data-form="slurm-resources"]');
  assert.deepEqual(await Promise.all(['nodes', 'gpusPerNode', 'engine'].map((n) => resources.locator(`[name="${n}"]`).inputValue())), ['2', '1', 'tfjs']);
  const plan = page.locator('form[data-form="slurm-plan"]');
  assert.deepEqual(await Promise.all(['model', 'dp', 'tp', 'pp'].map((n) => plan.locator(`[name="${n}"]`).inputValue())), ['tiny', '2', '1', '1']);
  assert.match((await page.locator('#slurm-script').textContent()) ?? '', /# ShardScope run run-\S+: tiny dp=2 tp=1 pp=1, 60 steps, engine tfjs\n/);

  // A shorter run, a time limit, an account and a QoS: previewed again, then submitted.
  await plan.locator('[name="steps"]').fill('8');
  await resources.locator('[name="timeLimit"]').fill('5');
  await resources.locator('[name="account"]').fill('research');
  await resources.locator('[name="qos"]').fill('normal');
  await plan.getByRole('button', { name: 'Preview sbatch script' }).click();
  await page.waitForFunction(() => (document.querySelector('#slurm-script')?.textContent ?? '').includes('--account=research'));
  const script = (await page.locator('#slurm-script').textContent()) ?? '';
  assert.match(script, /#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=1\n#SBATCH --gpus-per-task=1\n#SBATCH --time=5\n#SBATCH --account=research\n#SBATCH --qos=normal\n/);
  assert.match(script, /8 steps, engine tfjs/);
  await page.screenshot({ path: join(testOutputDir('e2e'), 'slurm-planner-launch.png'), fullPage: true });
  await page.getByRole('button', { name: 'Submit job' }).click();
  await page.waitForSelector('#slurm-job-state[data-state="COMPLETED"]', { timeout: 120_000 });
  const runId = (await page.locator('#slurm-run-message').getAttribute('data-run-id')) ?? '';
  await page.waitForFunction((id) => document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-status') === 'finished', runId, { timeout: 30_000 });
  const jobId = /submitted slurm job (\d+)/.exec((await page.locator('#slurm-run-message').textContent()) ?? '')?.[1] ?? '';
  // What sacct kept of the job, shown once it ended (and stored with the run).
  await page.waitForSelector('#slurm-accounting[data-source="sacct"]', { timeout: 20_000 });
  assert.match((await page.locator('#slurm-accounting').textContent()) ?? '', new RegExp(`^slurm job ${jobId} as Slurm accounted it \\(sacct\\): COMPLETED, elapsed \\d+ s, energy not configured \\(AcctGatherEnergyType=acct_gather_energy/none\\); kept with run ${runId}$`));
  assert.equal(cluster.slurm('sacct', ['-j', jobId, '-X', '-n', '-P', '-o', 'Account,QOS,State']).trim(), 'research|normal|COMPLETED');
  const job = cluster.slurm('scontrol', ['-o', 'show', 'job', jobId]);
  for (const field of [/ Account=research /, / JobState=COMPLETED /, / TimeLimit=00:05:00 /, / NumNodes=2 /]) assert.match(job, field);
  assert.deepEqual(cluster.jobProcesses(), [], 'nothing of the job left on the nodes');
  await page.close();
});

/** In the Planner: the tiny model on 2 GPUs, 1 per node, strategy B = dp 2 (a plan the built-in engine can run). */
async function planTinyOnTwoNodes(page: Page): Promise<void> {
  await page.locator('button[data-view="planner"]').click();
  await page.waitForFunction(() => Number(document.getElementById('view')?.dataset.planned ?? 0) >= 1);
  const planned = Number(await page.locator('#view').getAttribute('data-planned'));
  await page.selectOption('[data-form="cluster"] select[name="model"]', 'tiny');
  for (const [name, value] of [['gpus', '2'], ['gpusPerNode', '1']]) {
    await page.locator(`[data-form="cluster"] input[name="${name}"]`).fill(value);
    await page.locator(`[data-form="cluster"] input[name="${name}"]`).dispatchEvent('change');
  }
  for (const [name, value] of [['dp', '2'], ['tp', '1'], ['pp', '1'], ['microBatch', '1']]) {
    await page.locator(`[data-strategy="B"] input[name="${name}"]`).fill(value);
    await page.locator(`[data-strategy="B"] input[name="${name}"]`).dispatchEvent('change');
  }
  await page.locator('[data-strategy="B"] input[name="sequenceParallel"]').uncheck();
  await page.waitForFunction((n) => Number(document.getElementById('view')?.dataset.planned ?? 0) > n, planned);
  await page.waitForSelector('[data-launch-plan-slurm="B"]');
}
