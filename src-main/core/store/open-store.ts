/** Opens the SQLite store file: checks it is one, sets WAL + synchronous=NORMAL, runs migrations. */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { migrate, SCHEMA_VERSION, schemaVersion } from './schema.js';

/** Where the store lives unless told otherwise: $SHARDSCOPE_HOME/shardscope.db, else ~/.shardscope/shardscope.db. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.SHARDSCOPE_HOME || join(env.HOME || homedir(), '.shardscope');
  return join(home, 'shardscope.db');
}

/** How to open the store. */
export interface OpenStoreOptions {
  /** Read only: nothing is created, migrated or written (for listing a store another process writes). */
  readonly?: boolean;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';

/** Throws `bad-input` unless the file is empty or starts with the SQLite header; never writes. */
function checkHeader(path: string): void {
  const stat = statSync(path);
  if (!stat.isFile()) throw new ShardScopeError('bad-input', `${path} is not a ShardScope store (not a file)`);
  if (stat.size === 0) return;
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(16);
    const read = readSync(fd, header, 0, 16, 0);
    if (read < 16 || header.toString('latin1') !== SQLITE_HEADER) {
      throw new ShardScopeError('bad-input', `${path} is not a ShardScope store (not an SQLite database)`);
    }
  } finally {
    closeSync(fd);
  }
}

/** The one-line error of a store that cannot be used; the file is left exactly as it was. */
export function damagedStoreError(path: string, reason: string): ShardScopeError {
  return new ShardScopeError('bad-input', `store ${path} is damaged (${reason}); ShardScope left it untouched: move it aside (e.g. mv "${path}" "${path}.damaged") to start a new store, or pass --db PATH`);
}

function corrupt(path: string, error: unknown): ShardScopeError {
  if (error instanceof ShardScopeError) return error;
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return damagedStoreError(path, reason);
}

/** Reads every page once (PRAGMA quick_check) so damage is found before any write, not in the middle of a run. */
function checkIntegrity(db: Database.Database, path: string): void {
  const rows = db.pragma('quick_check(1)') as { quick_check: string }[];
  const verdict = rows[0]?.quick_check ?? 'no answer';
  if (verdict !== 'ok') throw damagedStoreError(path, verdict.split('\n')[0]);
}

function hasTables(db: Database.Database): boolean {
  return (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n > 0;
}

/**
 * Opens (creating if needed) the store at `path`. A file that is not SQLite, is corrupt or has a
 * newer schema fails with a one-line `bad-input` error and is left as it was.
 */
export function openStoreDatabase(path: string, options: OpenStoreOptions = {}): Database.Database {
  const readonly = options.readonly ?? false;
  const exists = existsSync(path);
  if (exists) checkHeader(path);
  else if (readonly) throw new ShardScopeError('not-found', `no store at ${path}`);
  else mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly, timeout: 5000 });
    const version = schemaVersion(db); // the first read: a corrupt or encrypted file fails here
    if (version > SCHEMA_VERSION) {
      throw new ShardScopeError('bad-input', `store ${path} was written by a newer ShardScope (schema ${version}, this one reads up to ${SCHEMA_VERSION}): update ShardScope; the store was left untouched`);
    }
    checkIntegrity(db, path);
    if (readonly) {
      if (version === 0 && !hasTables(db)) {
        // an empty file: answer from an empty in-memory schema rather than write to it
        db.close();
        db = new Database(':memory:');
        migrate(db);
      } else if (version !== SCHEMA_VERSION) {
        throw new ShardScopeError('bad-input', `store ${path} has schema version ${version}; this ShardScope reads ${SCHEMA_VERSION} (open it in the app once to upgrade)`);
      }
      return db;
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    throw corrupt(path, error);
  }
}
