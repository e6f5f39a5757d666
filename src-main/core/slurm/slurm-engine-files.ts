/** Where the engine's files are as a job's nodes see them, for a login host and an engine. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { localSpawner } from '../launch/spawner.js';
import { currentWorkerRuntime, type WorkerRuntime } from '../launch/worker-runtime.js';
import { deployWorkerBundle, workerBundleOf } from '../ssh/deploy.js';
import { checkTorch } from '../launch/torch-check.js';
import { eventHelperPath, referenceScriptPath } from '../launch/torch-rank-command.js';
import type { SlurmEngineFiles } from './slurm-rank-command.js';
import type { SlurmShell } from './slurm-shell.js';

/** The user's choices for the torch engine. */
export interface SlurmTorchChoice {
  script?: string;
  python?: string;
  /** Training data on this machine, copied to the job folder base of an SSH login host. */
  dataPath?: string;
}

/**
 * A `local` login host shares its file system with the nodes: local paths, this process's worker
 * runtime, and the interpreter that imports torch here. On an SSH login host the training text is
 * copied into the job folder base; the torch script and helper too; for the built-in engine the worker
 * bundle and a Node.js (the host's own, else a shipped copy: ssh/runtime-deploy.ts) go to its home's
 * cache, which the nodes see on a cluster's shared home.
 */
export async function slurmEngineFiles(shell: SlurmShell, engine: 'tfjs' | 'torch', choice: SlurmTorchChoice, workerPath: string, jobDirBase: string, runtime?: WorkerRuntime): Promise<SlurmEngineFiles> {
  const script = choice.script ? resolve(choice.script) : referenceScriptPath();
  const torch = { script, helper: eventHelperPath(), python: choice.python ?? 'python3' };
  const local = runtime ?? currentWorkerRuntime();
  if (shell.loginHost === 'local') {
    return { node: local.command, nodeEnv: local.env, workerPath, torch: engine === 'torch' ? { ...torch, python: (await checkTorch(localSpawner, 'local', choice.python)).python } : torch };
  }
  const corpus = join(dirname(torch.helper), '..', 'corpus', 'licenses.txt');
  const data = choice.dataPath ?? (existsSync(corpus) ? corpus : null);
  const dataPath = data ? `${jobDirBase}/data/${basename(data)}` : undefined;
  if (data && dataPath) await shell.writeFile(dataPath, readFileSync(data, 'utf8'));
  if (engine === 'tfjs') {
    // Node.js and the worker go to the login host's home (shared with the nodes) as for SSH hosts: its own node, else a shipped copy.
    if (!shell.connection) throw new ShardScopeError('internal', `slurm on ${shell.loginHost}: no SSH connection to deploy the worker over`);
    const deployed = await deployWorkerBundle(shell.connection, workerBundleOf(dirname(workerPath)), { shippableNodePath: local.shippableNodePath });
    if (!deployed.node || !deployed.workerPath) throw new ShardScopeError('unavailable', `slurm on ${shell.loginHost}: no Node.js for the built-in engine there`);
    return { node: deployed.node.path, workerPath: deployed.workerPath, torch, ...(dataPath ? { dataPath } : {}) };
  }
  const engineDir = `${jobDirBase}/engine`;
  await shell.writeFile(`${engineDir}/train_script.py`, readFileSync(script, 'utf8'));
  await shell.writeFile(`${engineDir}/shardscope_events.py`, readFileSync(torch.helper, 'utf8'));
  // The bundled script reads its training text from ../corpus next to itself.
  if (existsSync(corpus)) await shell.writeFile(`${jobDirBase}/corpus/licenses.txt`, readFileSync(corpus, 'utf8'));
  return { node: 'node', workerPath: '', torch: { ...torch, script: `${engineDir}/train_script.py`, helper: `${engineDir}/shardscope_events.py` }, ...(dataPath ? { dataPath } : {}) };
}

/** The job folder base on the login host: `$HOME/.shardscope/slurm` there, or `localBase` for a local login host. */
export async function slurmJobDirBase(shell: SlurmShell, localBase: string): Promise<string> {
  if (shell.loginHost === 'local') return localBase;
  const home = (await shell.run(['sh', '-c', 'echo "$HOME"'])).stdout.trim();
  if (!home.startsWith('/')) throw new ShardScopeError('protocol', `slurm on ${shell.loginHost}: no home folder for the job folders (pass --job-dir)`);
  return `${home}/.shardscope/slurm`;
}
