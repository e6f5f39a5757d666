import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptHostKey, checkHostKey, fingerprintSha256, parseKnownHosts, readKnownHosts } from '../../../src-main/core/ssh/known-hosts.js';
import { generateKey, keygenFingerprint } from '../../support/ssh-cluster/keys.js';

function withKeys(fn: (dir: string, blobA: Buffer, blobB: Buffer, lineA: string, lineB: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-known-hosts-'));
  try {
    generateKey(join(dir, 'a'), 'a');
    generateKey(join(dir, 'b'), 'b');
    const line = (name: string): string => readFileSync(join(dir, `${name}.pub`), 'utf8').split(/\s+/).slice(0, 2).join(' ');
    const blob = (name: string): Buffer => Buffer.from(line(name).split(' ')[1], 'base64');
    fn(dir, blob('a'), blob('b'), line('a'), line('b'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('fingerprints equal ssh-keygen -lf', () => withKeys((dir, blobA) => {
  assert.equal(fingerprintSha256(blobA), keygenFingerprint(join(dir, 'a.pub')));
}));

test('plain, [host]:port, wildcard and negated patterns', () => withKeys((_dir, a, b, lineA, lineB) => {
  const entries = parseKnownHosts(`# comment\n\ngpu1,10.0.0.1 ${lineA}\n[gpu2]:2222 ${lineA}\n*.lab,!bad.lab ${lineB}\ngarbage\n`);
  assert.equal(entries.length, 3);
  assert.equal(checkHostKey(entries, 'gpu1', 22, a).status, 'known');
  assert.equal(checkHostKey(entries, '10.0.0.1', 22, a).status, 'known');
  assert.equal(checkHostKey(entries, 'gpu1', 22, b).status, 'mismatch');
  assert.equal(checkHostKey(entries, 'gpu1', 2222, a).status, 'unknown', 'a port other than 22 needs the [host]:port form');
  assert.equal(checkHostKey(entries, 'gpu2', 2222, a).status, 'known');
  assert.equal(checkHostKey(entries, 'gpu2', 22, a).status, 'unknown');
  assert.equal(checkHostKey(entries, 'x.lab', 22, b).status, 'known');
  assert.equal(checkHostKey(entries, 'bad.lab', 22, b).status, 'unknown');
}));

test('hashed entries made by ssh-keygen -H match, including [host]:port', () => withKeys((dir, a, b, lineA) => {
  const file = join(dir, 'known_hosts');
  writeFileSync(file, `gpu7 ${lineA}\n[gpu8]:2200 ${lineA}\n`);
  execFileSync('/usr/bin/ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
  const entries = readKnownHosts(file);
  assert.ok(entries.every((e) => e.patterns.startsWith('|1|')));
  assert.equal(checkHostKey(entries, 'gpu7', 22, a).status, 'known');
  assert.equal(checkHostKey(entries, 'gpu8', 2200, a).status, 'known');
  assert.equal(checkHostKey(entries, 'gpu7', 22, b).status, 'mismatch');
  assert.equal(checkHostKey(entries, 'gpu9', 22, a).status, 'unknown');
}));

test('@revoked keys are refused for every host', () => withKeys((_dir, a, _b, lineA) => {
  const entries = parseKnownHosts(`gpu1 ${lineA}\n@revoked * ${lineA}\n`);
  assert.equal(checkHostKey(entries, 'gpu1', 22, a).status, 'revoked');
}));

test('acceptHostKey appends a line that ssh-keygen -F finds', () => withKeys((dir, a) => {
  const file = join(dir, 'sub', 'known_hosts');
  acceptHostKey(file, 'gpu3', 2022, a);
  assert.equal(checkHostKey(readKnownHosts(file), 'gpu3', 2022, a).status, 'known');
  const found = execFileSync('/usr/bin/ssh-keygen', ['-F', '[gpu3]:2022', '-f', file], { encoding: 'utf8' });
  assert.ok(found.includes(a.toString('base64')));
}));
