/** The users this machine's processes run as: the real uid of /proc/PID/status, named from /etc/passwd. */
import { readFileSync } from 'node:fs';

function passwdNames(): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid !== undefined && /^\d+$/.test(uid)) names.set(Number(uid), name);
    }
  } catch {
    // no /etc/passwd (not Linux): uids stay unnamed
  }
  return names;
}

/** pid -> user for the pids that exist and can be read (a uid without a name is given as its number). */
export function localUsersOf(pids: readonly number[]): Map<number, string> {
  const users = new Map<number, string>();
  if (pids.length === 0) return users;
  const names = passwdNames();
  for (const pid of pids) {
    try {
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (uid !== undefined) users.set(pid, names.get(Number(uid)) ?? uid);
    } catch {
      // the process is gone, or /proc is not there
    }
  }
  return users;
}
