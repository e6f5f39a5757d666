import Database from 'better-sqlite3';
import { ShardScopeError } from '../../../src-shared/errors.js';
/** Where the store lives unless told otherwise: $SHARDSCOPE_HOME/shardscope.db, else ~/.shardscope/shardscope.db. */
export declare function defaultStorePath(env?: NodeJS.ProcessEnv): string;
/** How to open the store. */
export interface OpenStoreOptions {
    /** Read only: nothing is created, migrated or written (for listing a store another process writes). */
    readonly?: boolean;
}
/** The one-line error of a store that cannot be used; the file is left exactly as it was. */
export declare function damagedStoreError(path: string, reason: string): ShardScopeError;
/**
 * Opens (creating if needed) the store at `path`. A file that is not SQLite, is corrupt or has a
 * newer schema fails with a one-line `bad-input` error and is left as it was.
 */
export declare function openStoreDatabase(path: string, options?: OpenStoreOptions): Database.Database;
