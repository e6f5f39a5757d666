/** Copies the bundled torch reference script, its event helper and the training data to a remote host (SFTP, content-hashed names). */
import { dirname, join } from 'node:path';
import { deployDataFile } from '../ssh/deploy.js';
import type { SshConnection } from '../ssh/connect.js';
import { referenceScriptPath } from './torch-rank-command.js';

/** Remote paths of what deployTorchScripts copied. */
export interface TorchDeploy {
  script: string;
  /** The event helper, which starts the script (pass as `helperByHost`). */
  helper: string;
  dataPath: string;
}

/** Uploads train_gpt.py, shardscope_events.py and `dataPath` (default: the shipped corpus) into `~/.cache/shardscope/`. */
export async function deployTorchScripts(connection: SshConnection, homeDir: string, dataPath?: string): Promise<TorchDeploy> {
  const script = referenceScriptPath();
  // The script finds its helper next to it under the helper's hashed name (see train_gpt.py).
  const helper = await deployDataFile(connection, join(dirname(script), 'shardscope_events.py'), homeDir);
  return {
    helper,
    script: await deployDataFile(connection, script, homeDir),
    dataPath: await deployDataFile(connection, dataPath ?? join(dirname(script), '..', 'corpus', 'licenses.txt'), homeDir),
  };
}
