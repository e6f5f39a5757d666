/** Core's logger: one file in the data folder, level from SHARDSCOPE_LOG_LEVEL, stacks of what was thrown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLogPath, loggerFromEnv, logLevelOf } from '../../../src-main/core/log/logger.js';

function withHome(run: (home: string) => void): void {
  const home = mkdtempSync(join(tmpdir(), 'shardscope-log-'));
  try {
    run(home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

test('the log is shardscope.log in $SHARDSCOPE_HOME, created with its folder on the first line', () => withHome((home) => {
  const env = { SHARDSCOPE_HOME: join(home, 'data') };
  assert.equal(defaultLogPath(env), join(home, 'data', 'shardscope.log'));
  const log = loggerFromEnv(env);
  assert.equal(existsSync(defaultLogPath(env)), false);
  log.error('handler broke', new TypeError('x is undefined'));
  const text = readFileSync(defaultLogPath(env), 'utf8');
  assert.match(text, /^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR handler broke\n {2}TypeError: x is undefined\n\s+at /);
}));

test('SHARDSCOPE_LOG_LEVEL filters lines: warn keeps error and warn, drops info and debug; off writes nothing', () => withHome((home) => {
  const env = { SHARDSCOPE_HOME: home, SHARDSCOPE_LOG_LEVEL: 'warn' };
  const log = loggerFromEnv(env);
  log.debug('d-line');
  log.info('i-line');
  log.warn('w-line');
  log.error('e-line');
  const lines = readFileSync(defaultLogPath(env), 'utf8').trim().split('\n').map((l) => l.split(' ').slice(1).join(' '));
  assert.deepEqual(lines, ['WARN w-line', 'ERROR e-line']);
  const quiet = { SHARDSCOPE_HOME: join(home, 'quiet'), SHARDSCOPE_LOG_LEVEL: 'off' };
  loggerFromEnv(quiet).error('nothing');
  assert.equal(existsSync(defaultLogPath(quiet)), false);
}));

test('the default level is info; an unknown level is said in the log and info is used', () => withHome((home) => {
  assert.equal(logLevelOf({}), 'info');
  assert.equal(logLevelOf({ SHARDSCOPE_LOG_LEVEL: 'DEBUG' }), 'debug');
  const env = { SHARDSCOPE_HOME: home, SHARDSCOPE_LOG_LEVEL: 'loud' };
  const log = loggerFromEnv(env);
  log.info('i-line');
  log.debug('d-line');
  const text = readFileSync(defaultLogPath(env), 'utf8');
  assert.match(text, /WARN SHARDSCOPE_LOG_LEVEL="loud" is not one of error, warn, info, debug, off; using info/);
  assert.match(text, /INFO i-line/);
  assert.doesNotMatch(text, /d-line/);
}));
