/** Where the engine's files are as a job's nodes see them, for a login host and an engine. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { localSpawner } from '../launch/spawner.js';
import { checkTorch } from '../launch/torch-check.js';
import { eventHelperPath, referenceScriptPath } from '../launch/torch-rank-command.js';
import type { SlurmEngineFiles } from './slurm-rank-command.js';
import type { SlurmShell } from './slurm-shell.js';

/** The user's choices for the torch engine. */
export interface SlurmTorchChoice {
  script?: string;
  python?: string;
}

/**
 * A `local` login host shares its file system with the nodes: local paths, and the interpreter that
 * imports torch here. On an SSH login host the torch script and helper are copied into the job folder
 * base; the built-in engine there needs Node.js and the worker on the nodes (issue 16's runtime shipping).
 */
export async function slurmEngineFiles(shell: SlurmShell, engine: 'tfjs' | 'torch', choice: SlurmTorchChoice, workerPath: string, jobDirBase: string): Promise<SlurmEngineFiles> {
  const script = choice.script ? resolve(choice.script) : referenceScriptPath();
  const torch = { script, helper: eventHelperPath(), python: choice.python ?? 'python3' };
  if (shell.loginHost === 'local') {
    return { node: process.execPath, workerPath, torch: engine === 'torch' ? { ...torch, python: (await checkTorch(localSpawner, 'local', choice.python)).python } : torch };
  }
  if (engine === 'tfjs') throw new ShardScopeError('unavailable', `the built-in engine on an SSH login host needs Node.js and the worker on the nodes (runtime shipping, issue 16); use the torch engine, or run ShardScope on ${shell.loginHost} with --slurm local`);
  const engineDir = `${jobDirBase}/engine`;
  await shell.writeFile(`${engineDir}/train_script.py`, readFileSync(script, 'utf8'));
  await shell.writeFile(`${engineDir}/shardscope_events.py`, readFileSync(torch.helper, 'utf8'));
  // The bundled script reads its training text from ../corpus next to itself.
  const corpus = join(dirname(torch.helper), '..', 'corpus', 'licenses.txt');
  if (existsSync(corpus)) await shell.writeFile(`${jobDirBase}/corpus/licenses.txt`, readFileSync(corpus, 'utf8'));
  return { node: 'node', workerPath: '', torch: { ...torch, script: `${engineDir}/train_script.py`, helper: `${engineDir}/shardscope_events.py` } };
}

/** The job folder base on the login host: `$HOME/.shardscope/slurm` there, or `localBase` for a local login host. */
export async function slurmJobDirBase(shell: SlurmShell, localBase: string): Promise<string> {
  if (shell.loginHost === 'local') return localBase;
  const home = (await shell.run(['sh', '-c', 'echo "$HOME"'])).stdout.trim();
  if (!home.startsWith('/')) throw new ShardScopeError('protocol', `slurm on ${shell.loginHost}: no home folder for the job folders (pass --job-dir)`);
  return `${home}/.shardscope/slurm`;
}
