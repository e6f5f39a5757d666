/** The unprivileged login user of the test cluster: made per test process, removed at stop. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const userPattern = /^sstest(\d+):/gm;

/** Creates `user` (shell /bin/sh, given home, no home skeleton) with `password`. */
export function createTestUser(user: string, home: string, password: string): void {
  execFileSync('/usr/sbin/useradd', ['-M', '-d', home, '-s', '/bin/sh', user], { stdio: 'pipe' });
  execFileSync('/usr/sbin/chpasswd', { input: `${user}:${password}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Deletes the test user (its processes are gone with the cluster's namespaces). */
export function deleteTestUser(user: string): void {
  try { execFileSync('/usr/sbin/userdel', ['-f', user], { stdio: 'pipe' }); } catch { /* already gone */ }
}

/** Removes test users left by test processes that died without cleaning up (their pid is in the name). */
export function removeStaleTestUsers(): void {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const match of passwd.matchAll(userPattern)) {
    const pid = Number(match[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    deleteTestUser(`sstest${pid}`);
  }
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (error) { return (error as NodeJS.ErrnoException).code === 'EPERM'; }
}
