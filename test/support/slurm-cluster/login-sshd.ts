/**
 * The test cluster's login host over SSH: a real OpenSSH server on 127.0.0.1 (this network
 * namespace, so its sessions reach slurmctld and the nodes), root logging in with a key made here,
 * sessions given the cluster's SLURM_CONF and PATH. `stop()` ends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from '../../../src-main/core/launch/free-port.js';
import { generateKey, publicKeyLine } from '../ssh-cluster/keys.js';
import type { SlurmCluster } from './cluster.js';

/** A running login sshd. */
export interface LoginSshd {
  /** `root@127.0.0.1:PORT`, as `--slurm` takes it. */
  spec: string;
  identityFile: string;
  knownHostsFile: string;
  stop(): Promise<void>;
}

/** Starts the login host's sshd and resolves once it listens. */
export async function startLoginSshd(cluster: SlurmCluster): Promise<LoginSshd> {
  const dir = join(cluster.dir, 'login');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hostKey = join(dir, 'host_key');
  const clientKey = join(dir, 'client_key');
  generateKey(hostKey, 'slurm-login-host');
  generateKey(clientKey, 'slurm-login-client');
  writeFileSync(join(dir, 'authorized_keys'), `${publicKeyLine(`${clientKey}.pub`)}\n`, { mode: 0o600 });
  const port = await findFreePort();
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${publicKeyLine(`${hostKey}.pub`)}\n`);
  const config = join(dir, 'sshd_config');
  writeFileSync(config, [
    'ListenAddress 127.0.0.1', `Port ${port}`, `HostKey ${hostKey}`, `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PidFile none', 'StrictModes no', 'UsePAM no', 'PermitRootLogin prohibit-password', 'PubkeyAuthentication yes',
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UseDNS no', 'MaxSessions 64', 'LogLevel VERBOSE',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    `SetEnv SLURM_CONF=${cluster.confPath} PATH=${cluster.env.PATH}`, '',
  ].join('\n'), { mode: 0o600 });
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`login sshd did not start: ${log}`)); }, 10_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
      if (log.includes('Server listening on')) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`login sshd exited (${code}): ${log}`)); });
  });
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  return {
    spec: `root@127.0.0.1:${port}`, identityFile: clientKey, knownHostsFile,
    async stop() {
      process.removeListener('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
