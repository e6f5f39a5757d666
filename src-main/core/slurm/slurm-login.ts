/** Opens the login host of a Slurm cluster: `local`, or `[user@]host[:port]` over SSH with host keys checked. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { connectSsh } from '../ssh/connect.js';
import { parseHostSpec } from '../ssh/target.js';
import { localSlurmShell, sshSlurmShell, type SlurmShell } from './slurm-shell.js';

/** How to reach the login host. */
export interface SlurmLoginOptions {
  env?: NodeJS.ProcessEnv;
  /** Identity files (default ~/.ssh/id_{ed25519,ecdsa,rsa}); SSH only. */
  identityFiles?: string[];
  /** Default ~/.ssh/known_hosts; SSH only. */
  knownHostsFile?: string;
  /** Environment set for every Slurm command on an SSH login host (e.g. SLURM_CONF of a non-default install). */
  remoteEnv?: Record<string, string>;
  signal?: AbortSignal;
}

/** `local` runs Slurm commands here; anything else is an SSH target. */
export async function openSlurmLogin(spec: string, options: SlurmLoginOptions = {}): Promise<SlurmShell> {
  const env = options.env ?? process.env;
  if (spec === 'local') return localSlurmShell(env);
  const home = env.HOME ?? homedir();
  const target = parseHostSpec(spec, env.USER);
  target.identityFiles = options.identityFiles?.length ? options.identityFiles : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => join(home, '.ssh', n)).filter((f) => existsSync(f));
  target.agentSocket ??= env.SSH_AUTH_SOCK ?? '';
  const connection = await connectSsh(target, { knownHostsFile: options.knownHostsFile ?? join(home, '.ssh', 'known_hosts'), signal: options.signal });
  return sshSlurmShell(connection, options.remoteEnv);
}
