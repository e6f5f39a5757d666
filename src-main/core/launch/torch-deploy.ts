/** Copies the bundled torch reference script (or the user's), its event helper and the training data to remote hosts (SFTP, content-hashed names). */
import { dirname, join } from 'node:path';
import { deployDataFile } from '../ssh/deploy.js';
import type { SshConnection } from '../ssh/connect.js';
import type { PreparedRun } from './remote-launch.js';
import { eventHelperPath, referenceScriptPath, type TorchEngineOptions } from './torch-rank-command.js';

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

/**
 * Torch options of a prepared remote/mixed run: the script (`torch.script`, else the reference
 * script) and the event helper copied to every remote host over the run's open connections, with
 * their remote paths per host, and the data prepareRun copied there. Local ranks keep local paths.
 * Hosts with a `python` setting use that interpreter. A user script is copied alone: modules it imports from its own folder must already be on the hosts.
 */
export async function deployTorchToHosts(prepared: Pick<PreparedRun, 'deployFiles' | 'dataPathByHost' | 'pythonByHost'>, torch: TorchEngineOptions = {}, signal?: AbortSignal): Promise<TorchEngineOptions> {
  const script = torch.script ?? referenceScriptPath();
  const helper = torch.helper ?? eventHelperPath();
  const byHost = await prepared.deployFiles([helper, script], signal);
  const pick = (path: string): Record<string, string> => Object.fromEntries(Object.entries(byHost).map(([host, files]) => [host, files[path]]));
  return {
    ...torch,
    scriptByHost: { ...pick(script), ...torch.scriptByHost },
    helperByHost: { ...pick(helper), ...torch.helperByHost },
    dataPathByHost: { ...prepared.dataPathByHost, ...torch.dataPathByHost },
    // A host's own `python` setting beats the run-wide --python.
    pythonByHost: { ...prepared.pythonByHost, ...torch.pythonByHost },
  };
}
