/** Whether a Node.js binary fits a host: host texts as real systems print them, the real binary this test runs on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { binaryPlatformOf, compareVersions, parseHostPlatform, platformMismatch, type BinaryPlatform } from '../../../src-main/core/ssh/runtime-platform.js';

test('uname -sm and ldd --version of glibc and musl systems', () => {
  assert.deepEqual(parseHostPlatform('Linux x86_64\nldd (Debian GLIBC 2.36-9+deb12u14) 2.36\nCopyright (C) 2022 Free Software Foundation, Inc.\n'),
    { os: 'Linux', arch: 'x86_64', libc: { kind: 'glibc', version: '2.36' } });
  assert.deepEqual(parseHostPlatform('Linux aarch64\nldd (Ubuntu GLIBC 2.35-0ubuntu3.8) 2.35\n').libc, { kind: 'glibc', version: '2.35' });
  assert.deepEqual(parseHostPlatform('Linux x86_64\nldd (GNU libc) 2.17\n').libc, { kind: 'glibc', version: '2.17' });
  assert.deepEqual(parseHostPlatform('Linux x86_64\nmusl libc (x86_64)\nVersion 1.2.4\n').libc, { kind: 'musl', version: '1.2.4' });
  assert.equal(parseHostPlatform('Linux x86_64\nsh: ldd: not found\n').libc.kind, 'unknown');
});

test('the Node.js binary running this test: an ELF for this CPU that names its newest glibc symbol version', () => {
  const binary = binaryPlatformOf(readFileSync(process.execPath));
  assert.equal(binary.os, 'Linux');
  assert.equal(binary.arch, { x64: 'x86_64', arm64: 'aarch64' }[process.arch as string] ?? process.arch);
  assert.equal(binary.libc.kind, 'glibc');
  const min = binary.libc.kind === 'glibc' ? binary.libc.minVersion : null;
  assert.ok(min && compareVersions(min, '2.17') >= 0 && compareVersions(min, '2.40') <= 0, `glibc minimum ${min}`);
});

test('a mismatch names what differs; a fitting host has none', () => {
  const node: BinaryPlatform = { os: 'Linux', arch: 'x86_64', libc: { kind: 'glibc', minVersion: '2.28' } };
  const host = (arch: string, libc: string): ReturnType<typeof parseHostPlatform> => parseHostPlatform(`Linux ${arch}\n${libc}\n`);
  assert.equal(platformMismatch(node, host('x86_64', 'ldd (GNU libc) 2.28')), null);
  assert.equal(platformMismatch(node, host('x86_64', 'ldd (GNU libc) 2.36')), null);
  assert.match(platformMismatch(node, host('aarch64', 'ldd (GNU libc) 2.36'))!, /CPU is aarch64.*built for x86_64/);
  assert.match(platformMismatch(node, host('x86_64', 'ldd (GNU libc) 2.17'))!, /glibc 2\.17.*needs glibc 2\.28 or newer/);
  assert.match(platformMismatch(node, host('x86_64', 'musl libc (x86_64)\nVersion 1.2.4'))!, /musl/);
  assert.match(platformMismatch({ os: 'Darwin', arch: 'unknown', libc: { kind: 'none' } }, host('x86_64', 'ldd (GNU libc) 2.36'))!, /Darwin binary/);
  assert.ok(compareVersions('2.31.1', '2.31') > 0 && compareVersions('2.9', '2.28') < 0);
});
