/**
 * End to end: the Cluster view lists every known host live — this machine and an SSH host of the
 * test cluster (real sshd, stand-in nvidia-smi replaying an H100 under load as two GPUs, with the
 * processes a recorded capture lists on GPU 0) — with per-GPU utilisation, memory and power bars and
 * processes; a saved host that cannot be reached is shown as unreachable, with the reason.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { connectApi, type ApiClient } from '../support/api-client.js';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';
import { fixturesDir, startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';

let cluster: SshCluster;
let app: AppProcess;

/** Opens the app through its token URL, then goes to a route (the token URL can also carry it: `?token=T#/route`, see web-mode-deep-link.test.ts). */
async function openAt(page: import('playwright-core').Page, route: string): Promise<void> {
  await page.goto(app.url);
  await page.locator('#nav button').first().waitFor();
  await page.evaluate((hash) => { location.hash = hash; }, route);
}
let api: ApiClient;
let browser: Browser;
const home = mkdtempSync(join(tmpdir(), 'shardscope-home-'));

before(async () => {
  // The recorded processes of GPU 0, and on GPU 1 a process that exists on the host (pid 1, root's), so its owner can be looked up.
  const shared = mkdtempSync(join(tmpdir(), 'shardscope-apps-'));
  chmodSync(shared, 0o755); // the host's test user reads it
  const apps = join(shared, 'compute-apps.csv');
  const recorded = readFileSync(join(fixturesDir, 'compute-apps/nvgpuexp_h100-80gb-hbm3_590.48.01_compute-apps_load.csv'), 'utf8').trimEnd();
  writeFileSync(apps, `${recorded}\n2026/07/14 08:12:53.500, NVIDIA H100 80GB HBM3, 00000000:00:0A.0, 0000000000000, GPU-00000000-0000-0000-0000-000000000001, 1, /sbin/init, 100 MiB\n`);
  cluster = await startSshCluster([{ name: 'gpu-h100x2', smi: {
    kind: 'fixture', xmlFile: 'xml/telegraf_2x-rtx-2080_590.44.01_v13.xml', topoFile: null, replicateGpus: 2,
    queryCsvFile: 'query-gpu-csv/nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv', computeAppsFile: apps,
  } }]);
  copyFileSync(cluster.knownHostsFile, join(home, 'known_hosts')); // trusted already, as after `hosts trust`
  app = await startWebApp(['--web', '--interval-ms', '500'], { SHARDSCOPE_HOME: home, SSH_AUTH_SOCK: '' });
  api = await connectApi(app);
  browser = await launchChromium();
});

after(async () => {
  api?.close();
  await browser?.close();
  await app?.stop();
  await cluster?.stop();
});

test('the Cluster view shows an SSH host\'s GPUs live with their processes, and an unreachable host with its reason', async () => {
  const address = cluster.host('gpu-h100x2').address;
  await api.call('addHost', { host: address, user: cluster.user, identityFile: cluster.clientKeyFile });
  await api.call('addHost', { host: '127.0.0.1', port: 1, user: cluster.user, identityFile: cluster.clientKeyFile, id: 'gone' });
  await api.call('discoverHosts', {});

  const page = await browser.newPage({ viewport: { width: 1500, height: 1400 } });
  await openAt(page, `#/cluster`);
  const remote = page.locator(`.cluster-host[data-cluster-host="${address}"]`);
  await page.waitForFunction((id) => document.querySelectorAll(`.cluster-host[data-cluster-host="${id}"] tr[data-gpu]`).length === 2
    && Number(document.querySelector(`.cluster-host[data-cluster-host="${id}"] tr[data-gpu="${id}/0"] .processes`)?.getAttribute('data-processes') ?? 0) === 3, address, { timeout: 60_000 });
  const gpu0 = (await remote.locator(`tr[data-gpu="${address}/0"]`).textContent()) ?? '';
  assert.match(gpu0, /NVIDIA GeForce RTX 2080/);
  assert.match(gpu0, /19\.4 GiB \/ 79\.6 GiB/, 'memory used / total from the live samples');
  assert.match(gpu0, /632 W \/ \d+ W/, 'power against its limit');
  assert.match(gpu0, /pid 11345 \.\/gpu_burn 15\.3 GiB/);
  await page.waitForFunction((id) => /pid 1 root \/sbin\/init 100/.test(document.querySelector(`.cluster-host[data-cluster-host="${id}"] tr[data-gpu="${id}/1"] .processes`)?.textContent ?? ''), address, { timeout: 20_000 });
  assert.equal(await remote.locator(`tr[data-gpu="${address}/1"] .processes li`).count(), 1, 'GPU 1 runs one process, with its user');
  assert.equal(await remote.getAttribute('data-reachable'), 'true');
  assert.equal(await page.locator('.cluster-host[data-cluster-host="local"]').count(), 1, 'this machine is listed too');

  const gone = page.locator('.cluster-host[data-cluster-host="gone"]');
  assert.equal(await gone.getAttribute('data-reachable'), 'false');
  assert.match((await gone.locator('.error-box').textContent()) ?? '', /unreachable: .*(refused|unreachable|ECONNREFUSED)/i);
  await page.screenshot({ path: join(testOutputDir('e2e'), 'cluster-all-hosts.png'), fullPage: true });
  await page.close();
});
