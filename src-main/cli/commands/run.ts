/**
 * `shardscope run --model ID|FILE --strategy dp=D,tp=T,pp=P [--steps N] [--micro-batches M]
 *  [--schedule 1f1b|gpipe] [--zero 0|1] [--recompute] [--seed S] [--global-batch B] [--lr X]
 *  [--data FILE] [--backend NAME] [--db PATH] [--report FILE] [--engine tfjs|torch [--script FILE] [--python PATH]]
 *  [--trace-steps A-B|none] [--profile-steps A-B (torch)] [--json]`:
 *  a local sharded training run, one worker per rank (the built-in engine, or a PyTorch script per
 *  rank with `--engine torch`), kept in the run history. `--hosts FILE [--master-addr ADDR] [--known-hosts FILE]`
 *  places the ranks on remote hosts over SSH (and `local`), with either engine: docs/remote-runs.md.
 */
import { existsSync } from 'node:fs';
import { checkOutputFile } from '../../core/files/write-output-file.js';
import { dirname, resolve } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { parseStepRange } from '../../../src-shared/trace-spans.js';
import { discoverLocalHost } from '../../core/inventory/discover-local.js';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import { corpusPath, packageVersion, resolveNvidiaSmi, workerBundlePath } from '../runtime-paths.js';
import { runRecorded } from '../../core/runs/recorded-run.js';
import { prepareRun, type PreparedRun } from '../../core/launch/remote-launch.js';
import { workerBundleOf } from '../../core/ssh/deploy.js';
import { checkReferencePlan } from '../../core/launch/torch-run.js';
import { deployTorchToHosts } from '../../core/launch/torch-deploy.js';
import type { TorchEngineOptions } from '../../core/launch/torch-rank-command.js';
import { startHostSampler } from '../../core/telemetry/host-sampler.js';
import { rankDevicesOf, type RunTelemetry } from '../../core/runs/run-telemetry.js';
import { discoverRunHosts } from '../../core/runs/run-host-samplers.js';
import { placeRanks } from '../../core/launch/placement.js';
import { placementFactsOf, probeLocalTfjsBackend } from '../../core/launch/placement-facts.js';
import { formatPlacement, previewPlacement } from '../../../src-shared/placement.js';
import { DEFAULT_LEARNING_RATE, trainConfigOf } from '../../core/runs/train-config.js';
import { RunStore, StoreWriter } from '../../core/store/index.js';
import type { TrainingSummary } from '../../core/launch/run-summary.js';
import { existingFileFlag, intFlag, knownHostsFlag, numberFlag, parseFlags, storePathFlag } from '../args.js';
import { engineModelFlag, hostsFileFlag } from '../input-files.js';
import { parseSlurmRunRequest, runRequestFlags, runRequestOfFlags } from '../run-request-flags.js';
import { printJson, printLine, type CliCommand } from '../io.js';
import { stepProgress } from '../progress-line.js';
import { formatBytes, formatCount, formatDuration, formatRate } from '../../../src-shared/units.js';
import { printPredictionLines } from '../prediction-lines.js';
import { reportFormatOfPath } from './report.js';
import { checkSlurmFlags, runOnSlurmFromCli, slurmRequestOf, slurmRunFlags } from './run-slurm.js';
import { buildReport } from '../../core/report/build-report.js';
import { writeReport, type ReportFormat } from '../../core/report/write-report.js';

function formatSummary(s: TrainingSummary): string[] {
  const t = s.stepTimeSeconds;
  const sent = Object.entries(s.bytes).map(([k, b]) => `${k} ${formatBytes(b.sent)}`).join(', ') || 'none';
  return [
    `run ${s.runId}: ${s.model} dp=${s.strategy.dp} tp=${s.strategy.tp} pp=${s.strategy.pp} on ${formatCount(s.worldSize, 'rank')}, backend ${s.backend}`,
    `loss ${s.losses[0]?.toFixed(4)} -> ${s.loss.toFixed(4)} over ${formatCount(s.steps, 'step')}; ${formatRate(s.tokensPerSecond, 'tokens/s')}`,
    `step time ${formatDuration(t.total)}: compute ${formatDuration(t.compute)}, communication ${formatDuration(t.communication)}, bubble ${formatDuration(t.bubble)}`,
    `bytes sent: ${sent}; params per rank: ${s.paramsPerRank.join(', ')}`,
  ];
}

/** The `run` command. */
export const runCommand: CliCommand = async (args, io) => {
  const { values } = parseFlags(args, {
    ...runRequestFlags,
    seed: { type: 'string' }, lr: { type: 'string' }, data: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' },
    db: { type: 'string' }, python: { type: 'string' }, 'sample-ms': { type: 'string' },
    hosts: { type: 'string' }, 'master-addr': { type: 'string' }, 'known-hosts': { type: 'string' }, report: { type: 'string' },
    'trace-steps': { type: 'string' }, 'profile-steps': { type: 'string' },
    ...slurmRunFlags,
  });
  if (!values.model) throw new ShardScopeError('bad-input', '--model ID|FILE is required');
  const storePath = storePathFlag(values.db, io.env);
  const { model, isPreset } = engineModelFlag(values.model);
  // What a launch from the app would be, checked as the app checks it; the CLI's own flags beside it.
  const request = runRequestOfFlags(values, isPreset ? values.model : model.name || 'custom');
  const engine = request.engine ?? 'tfjs';
  const strategy = { dp: request.dp, tp: request.tp, pp: request.pp };
  existingFileFlag('data', values.data);
  if (engine !== 'torch' && (values.script || values.python)) throw new ShardScopeError('bad-input', '--script and --python go with --engine torch');
  existingFileFlag('script', values.script);
  if (engine !== 'torch' && values['profile-steps'] !== undefined) throw new ShardScopeError('bad-input', '--profile-steps goes with --engine torch (the built-in engine records spans: --trace-steps)');
  if (engine === 'torch' && values['trace-steps'] !== undefined) throw new ShardScopeError('bad-input', '--trace-steps is for the built-in engine; torch runs use --profile-steps A-B');
  const profileSteps = values['profile-steps'] === undefined ? null : parseStepRange(values['profile-steps'], '--profile-steps');
  const config = trainConfigOf({
    ...request,
    model,
    seed: intFlag('seed', values.seed, 0, 0),
    learningRate: numberFlag('lr', values.lr) ?? DEFAULT_LEARNING_RATE,
    ...(values.data ? { dataPath: resolve(values.data) } : {}),
    ...(values.backend ? { backend: values.backend } : {}),
    // Spans of every step by default (a few per micro-batch: cheap, see docs/benchmarks.md); A-B or none to bound them.
    ...(values['trace-steps'] !== undefined ? { traceSteps: parseStepRange(values['trace-steps'], '--trace-steps') } : {}),
  });
  if (engine === 'torch' && !values.script) checkReferencePlan(config);
  const reportFormat = values.report ? reportFormatOfPath(values.report) : null;
  if (values.report && !existsSync(dirname(resolve(values.report)))) throw new ShardScopeError('bad-input', `--report: folder ${dirname(resolve(values.report))} does not exist`);
  if (values.report && reportFormat !== 'csv') checkOutputFile(values.report, '--report');
  if (values['master-addr'] && !values.hosts) throw new ShardScopeError('bad-input', '--master-addr only applies with --hosts FILE');
  // A Slurm cluster: the run is a job submitted from its login host (run-slurm.ts).
  checkSlurmFlags(values);
  if (values.slurm && profileSteps) throw new ShardScopeError('bad-input', '--profile-steps is not available for Slurm jobs yet; run the torch engine locally or with --hosts FILE');
  if (values.slurm) {
    // checked as the app's Slurm launch is checked (login host, partition, account and qos names, limits)
    parseSlurmRunRequest(request, values.slurm, slurmRequestOf(values, strategy.dp * strategy.tp * strategy.pp));
    return runOnSlurmFromCli(values, config, engine, engine === 'tfjs' ? workerBundlePath() : '', io);
  }
  const prepared = values.hosts ? await prepareHosts(values, config, strategy.dp * strategy.tp * strategy.pp, engine, io) : null;
  const localTorch: TorchEngineOptions = {
    ...(request.script ? { script: request.script } : {}), ...(values.python ? { python: values.python } : {}), ...(profileSteps ? { profileSteps } : {}),
  };
  let torch = localTorch;
  try {
    // Remote torch ranks run the script and helper copied next to the data on their hosts.
    if (prepared && engine === 'torch') torch = await deployTorchToHosts(prepared, localTorch, io.signal);
  } catch (error) {
    prepared?.close();
    throw error;
  }
  // Every run is kept in the history (`shardscope runs`, reports), like runs launched from the app.
  const store = RunStore.open(storePath);
  const writer = new StoreWriter(store);
  // This host as discovered, and its samples every --sample-ms (default 500; 0 = off) — CPU power for
  // energy, memory, network, GPUs where present — are kept with the run for its report.
  const nvidiaSmiPath = resolveNvidiaSmi(undefined, io.env);
  const host = await discoverLocalHost({ nvidiaSmiPath, signal: io.signal });
  // The SSH hosts' inventories are kept with the run too, and the placement below reads their GPUs.
  const inventory = [host, ...(prepared ? await discoverRunHosts(prepared.targets, knownHostsFlag(values['known-hosts'], io.env), io.signal) : [])];
  const placements = rankDevicesOf(prepared?.placements ?? placeRanks(strategy.dp * strategy.tp * strategy.pp), LOCAL_HOST_ID);
  // Placement before launch: to stdout, or stderr with --json (stdout carries only the summary).
  const showPlacement = (facts: Parameters<typeof previewPlacement>[2]) => formatPlacement(previewPlacement(engine, placements, facts)).forEach((line) => (values.json ? io.stderr.write(`${line}\n`) : printLine(io, line)));
  if (engine === 'tfjs') showPlacement(placementFactsOf(inventory, { localTfjs: await probeLocalTfjsBackend(workerBundlePath(), config.backend) }));
  const sampleMs = intFlag('sample-ms', values['sample-ms'], 500, 0);
  // Every host of the run is sampled for it (SSH hosts by runRecorded); only the GPUs its ranks use count.
  let runTelemetry: RunTelemetry | null = null;
  const sampler = sampleMs === 0 ? null : startHostSampler({ kind: 'local', hostId: LOCAL_HOST_ID, nvidiaSmiPath }, {
    intervalMs: sampleMs, onBatch: (batch) => { runTelemetry?.add(batch); },
  });
  let finishedRunId = '';
  const progress = stepProgress(io); // one updating line with ETA on a terminal, a line per step when piped
  try {
    const summary = await runRecorded({
      config, store, writer, hostId: LOCAL_HOST_ID, inventory,
      onProbed: (probes) => showPlacement(placementFactsOf(inventory, { torch: Object.fromEntries(placements.map((p) => [p.host, probes[p.host] ?? null])) })),
      ...(prepared ? { hostIds: prepared.hostIds, launch: { placements: prepared.placements, spawners: prepared.spawners, masterAddr: prepared.masterAddr, masterPort: prepared.masterPort } } : {}),
      workerPath: engine === 'tfjs' ? workerBundlePath() : '',
      engine, torch,
      signal: io.signal,
      ...(sampleMs > 0 ? { sampleIntervalMs: sampleMs } : {}),
      ...(prepared && sampleMs > 0 ? { remoteHosts: { targets: prepared.targets, knownHostsFile: knownHostsFlag(values['known-hosts'], io.env) } } : {}),
      onRecorded: (_id, telemetry) => { runTelemetry = telemetry; },
      onUpdate: values.json ? undefined : (update) => update.points.forEach((p) => progress.add(p, update.steps)),
      onLog: (rank, line, stream) => {
        if (stream === 'stderr') progress.above(() => io.stderr.write(`[rank ${rank}] ${line}\n`));
      },
    });
    progress.end();
    if (values.json) printJson(io, summary);
    else formatSummary(summary).forEach((line) => printLine(io, line));
    finishedRunId = summary.runId;
  } finally {
    progress.end();
    prepared?.close();
    await sampler?.stop();
    writer.close();
    store.close();
  }
  if (!values.json && engine === 'tfjs') printPredictionLines(storePath, finishedRunId, io);
  if (values.report && reportFormat) await writeRunReport(storePath, finishedRunId, values.report, reportFormat, values.json ?? false, io);
  return 0;
};

/** `--report FILE`: the report of the run just finished, read back from the store once everything is written. */
async function writeRunReport(storePath: string, runId: string, outPath: string, format: ReportFormat, isJson: boolean, io: Parameters<CliCommand>[1]): Promise<void> {
  const store = RunStore.open(storePath, { readonly: true });
  let report;
  try {
    report = buildReport(store, [runId], { version: packageVersion() });
  } finally {
    store.close();
  }
  const written = await writeReport(report, { format, outPath, signal: io.signal });
  // With --json stdout carries only the summary object, so the note goes to stderr.
  (isJson ? io.stderr : io.stdout).write(`wrote ${format} report of ${runId} to ${written.path}\n`);
}

/**
 * `--hosts FILE`: connects (host keys checked), deploys what the engine's ranks run (the worker and
 * a Node.js, or the Python launcher of torch ranks) and the data, and places ranks before anything is recorded.
 */
async function prepareHosts(values: { hosts?: string; 'master-addr'?: string; 'known-hosts'?: string }, config: { dataPath?: string }, worldSize: number, engine: 'tfjs' | 'torch', io: Parameters<CliCommand>[1]): Promise<PreparedRun> {
  const hosts = hostsFileFlag(values.hosts!, io.env);
  return prepareRun({
    hosts, worldSize, bundle: workerBundleOf(dirname(workerBundlePath())), engine,
    knownHostsFile: knownHostsFlag(values['known-hosts'], io.env),
    dataPath: config.dataPath ?? corpusPath(), masterAddr: values['master-addr'], signal: io.signal,
  });
}
