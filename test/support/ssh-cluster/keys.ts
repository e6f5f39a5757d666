/** ssh-keygen helpers for the test cluster: keys are made at run time in the cluster's temp dir. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Generates an ed25519 key pair at `file` (+ `.pub`), optionally protected by `passphrase`. */
export function generateKey(file: string, comment: string, passphrase = ''): void {
  execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', comment, '-f', file], { stdio: 'ignore' });
}

/** The `SHA256:...` fingerprint of a public key file, as `ssh-keygen -lf` prints it. */
export function keygenFingerprint(publicKeyFile: string): string {
  const out = execFileSync('/usr/bin/ssh-keygen', ['-lf', publicKeyFile], { encoding: 'utf8' });
  const match = /(SHA256:\S+)/.exec(out);
  if (!match) throw new Error(`ssh-keygen -lf printed no fingerprint: ${out}`);
  return match[1];
}

/** The `type base64` part of a public key file. */
export function publicKeyLine(publicKeyFile: string): string {
  const [type, base64] = readFileSync(publicKeyFile, 'utf8').trim().split(/\s+/);
  return `${type} ${base64}`;
}
