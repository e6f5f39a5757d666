/**
 * Slurm's accounting storage for the test cluster: a throwaway MariaDB (its own data folder, socket
 * and loopback port, a random password for slurmdbd's user) and the slurmdbd.conf that points at it.
 * The daemons themselves are started by cluster.ts, which owns their teardown.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The binaries accounting needs (Debian's `slurmdbd` and `mariadb-server`). */
export const ACCOUNTING_BINARIES = ['/usr/sbin/slurmdbd', '/usr/sbin/mariadbd', '/usr/bin/mariadb-install-db', '/usr/bin/mariadb'];

/** Why accounting cannot run here, or null when it can. */
export function accountingUnavailableReason(): string | null {
  const missing = ACCOUNTING_BINARIES.find((file) => !existsSync(file));
  return missing ? `${missing} missing: apt-get install slurmdbd mariadb-server (npm test installs them)` : null;
}

/** Where the database listens and who slurmdbd is there. */
export interface AccountingDb {
  dataDir: string;
  socket: string;
  port: number;
  user: string;
  password: string;
}

/** Creates the database's data folder (mariadb-install-db, ~1 s). */
export function initAccountingDb(dir: string, port: number): AccountingDb {
  const dataDir = join(dir, 'mariadb');
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db', ...SMALL_INNODB], { stdio: 'ignore', timeout: 60_000 });
  return { dataDir, socket: join(dir, 'mariadb.sock'), port, user: 'slurm', password: randomBytes(12).toString('hex') };
}

// A small, fast, non-durable InnoDB: the test database lives for one test file.
const SMALL_INNODB = ['--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M', '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0'];

/** mariadbd's command line for `db`. */
export function mariadbdArgs(db: AccountingDb, dir: string): string[] {
  return ['--no-defaults', '--user=root', `--datadir=${db.dataDir}`, `--socket=${db.socket}`, `--port=${db.port}`, '--bind-address=127.0.0.1',
    `--pid-file=${join(dir, 'mariadb.pid')}`, `--log-error=${join(dir, 'mariadb.log')}`, '--skip-name-resolve', '--skip-log-bin', ...SMALL_INNODB];
}

/** Creates slurmdbd's database user (over the socket, as root) once mariadbd answers. */
export function createSlurmUser(db: AccountingDb): void {
  const sql = `CREATE USER '${db.user}'@'127.0.0.1' IDENTIFIED BY '${db.password}'; GRANT ALL ON *.* TO '${db.user}'@'127.0.0.1';`;
  execFileSync('mariadb', ['--no-defaults', '-S', db.socket, '-u', 'root', '-e', sql], { stdio: 'ignore', timeout: 15_000 });
}

/** Whether mariadbd answers on its socket. */
export function isDbUp(db: AccountingDb): boolean {
  try {
    execFileSync('mariadb', ['--no-defaults', '-S', db.socket, '-u', 'root', '-e', 'SELECT 1'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** slurmdbd.conf (must be mode 600, owned by SlurmUser): the munge socket, its own port, the database above. */
export function slurmdbdConf(options: { dir: string; dbdPort: number; mungeSocket: string; db: AccountingDb }): string {
  const { dir, db } = options;
  return [
    'AuthType=auth/munge',
    `AuthInfo=socket=${options.mungeSocket}`,
    'DbdHost=localhost',
    'DbdAddr=127.0.0.1',
    `DbdPort=${options.dbdPort}`,
    'SlurmUser=root',
    `PidFile=${join(dir, 'slurmdbd.pid')}`,
    `LogFile=${join(dir, 'slurmdbd.log')}`,
    'StorageType=accounting_storage/mysql',
    'StorageHost=127.0.0.1',
    `StoragePort=${db.port}`,
    `StorageUser=${db.user}`,
    `StoragePass=${db.password}`,
    'StorageLoc=slurm_acct_db',
    '',
  ].join('\n');
}
