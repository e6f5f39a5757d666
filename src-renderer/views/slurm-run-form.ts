/**
 * Run on a Slurm cluster (Run view): a cluster added in the Hosts view, nodes, GPUs per node,
 * partition, time limit, account and QoS, plus the usual plan; Preview shows the sbatch script,
 * Submit sends it. A plan launched from the Planner arrives filled in and previewed.
 * The job's state (PENDING with its reason, RUNNING, the end) and node changes are shown as they come;
 * the run's live panel is the Run view's, Stop there is scancel.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { SlurmRunRequest } from '../../src-shared/api/slurm-contract.js';
import type { RunRequest } from '../../src-shared/run-live.js';
import { el } from '../format.js';
import { takeSlurmLaunchIntent } from '../state/launch-intent.js';
import { loadKnownSlurmClusters, onSlurmClusters, slurmClusters } from '../state/slurm-clusters.js';
import { fillRunForm } from './fill-run-form.js';
import { runLaunchForm } from './run-launch-form.js';

function field(label: string, input: HTMLElement): HTMLElement {
  const wrap = el('label', 'field');
  wrap.append(el('span', undefined, label), input);
  return wrap;
}

function input(name: string, value: string, type = 'text'): HTMLInputElement {
  const node = el('input');
  node.name = name;
  node.type = type;
  node.value = value;
  return node;
}

/** The section; returns its element and an unmount function. */
export function slurmRunSection(api: ShardScopeApi, models: string[]): { element: HTMLElement; unmount: () => void } {
  const section = el('section', 'slurm-run');
  section.id = 'slurm-run';
  const resources = el('div', 'form-row');
  resources.dataset.form = 'slurm-resources';
  const cluster = el('select');
  cluster.name = 'cluster';
  const nodes = input('nodes', '2', 'number');
  const gpusPerNode = input('gpusPerNode', '1', 'number');
  const partition = input('partition', '');
  const time = input('timeLimit', '30');
  const account = input('account', '');
  const qos = input('qos', '');
  const engine = el('select');
  engine.name = 'engine';
  for (const option of ['torch', 'tfjs']) engine.append(new Option(option, option));
  resources.append(field('cluster', cluster), field('nodes', nodes), field('GPUs per node', gpusPerNode), field('partition', partition), field('time limit', time), field('account', account), field('QoS', qos), field('engine', engine));
  const script = el('pre', 'sbatch-script');
  script.id = 'slurm-script';
  const message = el('p', 'note');
  message.id = 'slurm-run-message';
  const jobState = el('p', 'note');
  jobState.id = 'slurm-job-state';
  const accounting = el('p', 'note');
  accounting.id = 'slurm-accounting';
  const submit = el('button', 'primary', 'Submit job');
  submit.type = 'button';
  submit.hidden = true;
  let prepared: SlurmRunRequest | null = null;

  const renderClusters = () => {
    const current = cluster.value;
    cluster.replaceChildren(...slurmClusters().map((c) => new Option(`${c.loginHost}${c.partition ? ` (${c.partition})` : ''}`, c.loginHost)));
    if (current) cluster.value = current;
    section.dataset.clusters = String(slurmClusters().length);
  };
  const requestOf = (plan: RunRequest): SlurmRunRequest => ({
    ...plan, engine: engine.value as 'torch' | 'tfjs',
    slurm: {
      loginHost: cluster.value, nodes: Number(nodes.value), gpusPerNode: Number(gpusPerNode.value),
      ...(partition.value.trim() ? { partition: partition.value.trim() } : {}), ...(time.value.trim() ? { timeLimit: time.value.trim() } : {}),
      ...(account.value.trim() ? { account: account.value.trim() } : {}), ...(qos.value.trim() ? { qos: qos.value.trim() } : {}),
    },
  });
  const fail = (what: string) => (error: Error) => { message.textContent = `${what}: ${error.message}`; message.dataset.state = 'error'; };
  const plan = runLaunchForm(models, (request) => {
    if (!cluster.value) return fail('no cluster')(new Error('add a Slurm cluster in the Hosts view first'));
    prepared = requestOf(request);
    api.previewSlurmJob(prepared).then((preview) => {
      script.textContent = preview.script;
      message.textContent = `the job's script (kept in ${preview.jobDir} once submitted)`;
      message.dataset.state = 'ok';
      submit.hidden = false;
    }, fail('cannot build the job'));
  }, undefined, { withEngine: false });
  plan.dataset.form = 'slurm-plan';
  const previewButton = plan.querySelector('button[type="submit"]');
  if (previewButton) previewButton.textContent = 'Preview sbatch script';
  submit.addEventListener('click', () => {
    if (!prepared) return;
    submit.hidden = true;
    api.startSlurmRun(prepared).then(({ runId, jobId }) => {
      message.textContent = `submitted slurm job ${jobId} for run ${runId}`;
      message.dataset.runId = runId;
    }, fail('could not submit'));
  });
  const offJob = api.on('slurmJob', (event) => {
    if (event.status) {
      const s = event.status;
      jobState.textContent = `slurm job ${s.jobId}: ${s.state}${s.reason ? ` (${s.reason})` : ''}${s.nodes.length ? ` on ${s.nodes.join(', ')}` : ''}`;
      jobState.dataset.state = s.state;
    }
    if (event.node) jobState.append(el('span', 'note', ` — node ${event.node.name} is ${event.node.state}${event.node.reason ? ` (${event.node.reason})` : ''}`));
    if (event.accounting) {
      const a = event.accounting;
      accounting.textContent = `slurm job ${a.jobId} as Slurm accounted it (${a.source}): ${a.state}, elapsed ${a.elapsedSeconds ?? '-'} s, energy ${a.energyJoules === null ? a.energySource : `${a.energyJoules} J (${a.energySource})`}; kept with run ${event.runId}`;
      accounting.dataset.source = a.source;
    }
  });
  renderClusters();
  const offClusters = onSlurmClusters(renderClusters);
  const known = loadKnownSlurmClusters(api);
  let isUnmounted = false;
  section.append(el('h2', undefined, 'Run on a Slurm cluster'), resources, plan, message, script, submit, jobState, accounting);
  // A plan from the Planner: its strategy and the job's shape go in, and the script is previewed at once (nothing is submitted).
  const intent = takeSlurmLaunchIntent();
  if (intent) {
    fillRunForm(plan, intent.request);
    engine.value = intent.request.engine ?? 'tfjs';
    nodes.value = String(intent.nodes);
    gpusPerNode.value = String(intent.gpusPerNode);
    section.dataset.fromPlan = 'true';
    message.textContent = `the planned strategy is in the form (${intent.nodes} nodes x ${intent.gpusPerNode} GPUs): check the sbatch script, then Submit job`;
    // once mounted (a form out of the document does not submit) and the known clusters are in the list
    void known.then(() => {
      if (isUnmounted) return;
      if (cluster.value) plan.requestSubmit();
      else message.textContent += ' (add a Slurm cluster in the Hosts view first)';
      section.scrollIntoView();
    });
  }
  return { element: section, unmount: () => { isUnmounted = true; offJob(); offClusters(); } };
}
