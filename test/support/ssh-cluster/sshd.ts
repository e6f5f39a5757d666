/** One real OpenSSH server for the test cluster, started inside a network namespace. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** Settings of one sshd: where it listens and what sessions get. */
export interface SshdSettings {
  namespace: string;
  address: string;
  port: number;
  configFile: string;
  hostKeyFile: string;
  authorizedKeysFile: string;
  sessionPath: string;
}

/** Writes an sshd_config: key + password auth, our authorized_keys, per-host PATH for sessions. */
export function writeSshdConfig(s: SshdSettings): void {
  const lines = [
    `ListenAddress ${s.address}`,
    `Port ${s.port}`,
    `HostKey ${s.hostKeyFile}`,
    `AuthorizedKeysFile ${s.authorizedKeysFile}`,
    'PidFile none',
    'StrictModes no', // the cluster lives under /tmp, which is world-writable
    'UsePAM no',
    'PermitRootLogin yes',
    'PubkeyAuthentication yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'UseDNS no',
    'MaxSessions 64',
    'MaxStartups 64:30:128',
    'LogLevel VERBOSE',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    // Sessions see this host's bin dir first: its `nvidia-smi` answers with this host's fixture.
    `SetEnv PATH=${s.sessionPath}`,
  ];
  writeFileSync(s.configFile, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** Starts sshd in its namespace and resolves once it says it listens (rejects with its log if it exits). */
export function startSshd(s: SshdSettings, timeoutMs = 10_000): Promise<ChildProcess> {
  const child = spawn('/usr/sbin/ip', ['netns', 'exec', s.namespace, '/usr/sbin/sshd', '-D', '-e', '-f', s.configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`sshd in ${s.namespace} did not start within ${timeoutMs} ms: ${log}`)), timeoutMs);
    const fail = (error: Error): void => { clearTimeout(timer); child.kill('SIGKILL'); reject(error); };
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      if (log.includes('Server listening on')) { clearTimeout(timer); resolve(child); }
    });
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`sshd in ${s.namespace} exited (${code}): ${log}`)));
  });
}
