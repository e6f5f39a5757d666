/**
 * Whether a Node.js binary can run on a host: what the binary is built for (read from its ELF
 * header and the glibc symbol versions it names) against what the host is (`uname -sm`,
 * `ldd --version`). Pure: the readings come in as bytes and text.
 */

/** What a host said about itself. */
export interface HostPlatform {
  /** `uname -s`, e.g. `Linux`. */
  os: string;
  /** `uname -m`, e.g. `x86_64`, `aarch64`. */
  arch: string;
  libc: { kind: 'glibc'; version: string } | { kind: 'musl'; version: string | null } | { kind: 'unknown'; text: string };
}

/** What a Node.js binary needs to run. */
export interface BinaryPlatform {
  /** `Linux`, `Darwin`, `Windows` or `unknown`. */
  os: string;
  /** The CPU it is built for, in `uname -m` words (`x86_64`, `aarch64`, ...). */
  arch: string;
  /** The C library it links against; for glibc, the newest symbol version it names (its minimum). */
  libc: { kind: 'glibc'; minVersion: string | null } | { kind: 'musl' } | { kind: 'none' };
}

/** Parses `uname -sm` then `ldd --version 2>&1` (first lines) as one text. */
export function parseHostPlatform(text: string): HostPlatform {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const [os = 'unknown', arch = 'unknown'] = (lines[0] ?? '').split(/\s+/);
  const rest = lines.slice(1).join('\n');
  const glibc = /(?:GLIBC|GNU libc|glibc)[^\n]*?(\d+\.\d+(?:\.\d+)?)\s*$/im.exec(rest);
  if (/musl/i.test(rest)) return { os, arch, libc: { kind: 'musl', version: /Version\s+(\d+\.\d+(?:\.\d+)?)/i.exec(rest)?.[1] ?? null } };
  if (glibc) return { os, arch, libc: { kind: 'glibc', version: glibc[1] } };
  return { os, arch, libc: { kind: 'unknown', text: rest.split('\n')[0] ?? '' } };
}

const elfMachines: Record<number, string> = { 3: 'i686', 40: 'armv7l', 62: 'x86_64', 183: 'aarch64', 21: 'ppc64le', 22: 's390x', 243: 'riscv64' };

/** Reads a binary's platform from its bytes: ELF machine and C library, or a Mach-O / PE marker. */
export function binaryPlatformOf(bytes: Buffer): BinaryPlatform {
  if (bytes.length > 20 && bytes.readUInt32BE(0) === 0x7f454c46) {
    const isLittle = bytes[5] === 1;
    const machine = isLittle ? bytes.readUInt16LE(18) : bytes.readUInt16BE(18);
    const arch = elfMachines[machine] ?? `elf-machine-${machine}`;
    if (bytes.includes('ld-musl-')) return { os: 'Linux', arch, libc: { kind: 'musl' } };
    const minVersion = newestGlibcVersion(bytes);
    return { os: 'Linux', arch, libc: minVersion || bytes.includes('libc.so.6') ? { kind: 'glibc', minVersion } : { kind: 'none' } };
  }
  const magic = bytes.length >= 4 ? bytes.readUInt32BE(0) : 0;
  if (magic === 0xcffaedfe || magic === 0xfeedfacf || magic === 0xcafebabe) return { os: 'Darwin', arch: 'unknown', libc: { kind: 'none' } };
  if (bytes.subarray(0, 2).toString('latin1') === 'MZ') return { os: 'Windows', arch: 'unknown', libc: { kind: 'none' } };
  return { os: 'unknown', arch: 'unknown', libc: { kind: 'none' } };
}

/** The newest `GLIBC_x.y[.z]` symbol version named in the bytes (what the dynamic linker will ask for). */
function newestGlibcVersion(bytes: Buffer): string | null {
  const marker = Buffer.from('GLIBC_');
  let newest: string | null = null;
  for (let at = bytes.indexOf(marker); at >= 0; at = bytes.indexOf(marker, at + marker.length)) {
    const match = /^GLIBC_(\d+\.\d+(?:\.\d+)?)/.exec(bytes.subarray(at, at + 16).toString('latin1'));
    if (match && (newest === null || compareVersions(match[1], newest) > 0)) newest = match[1];
  }
  return newest;
}

/** Compares dotted version numbers (`2.28` < `2.31` < `2.31.1`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Words for a binary's needs: `Linux x86_64, glibc >= 2.28`. */
export function describeBinaryPlatform(binary: BinaryPlatform): string {
  const libc = binary.libc.kind === 'glibc' ? `, glibc >= ${binary.libc.minVersion ?? '?'}` : binary.libc.kind === 'musl' ? ', musl' : '';
  return `${binary.os} ${binary.arch}${libc}`;
}

/** Words for a host: `Linux aarch64, glibc 2.31`. */
export function describeHostPlatform(host: HostPlatform): string {
  const libc = host.libc.kind === 'unknown' ? `unknown C library${host.libc.text ? ` (${host.libc.text})` : ''}` : `${host.libc.kind}${host.libc.version ? ` ${host.libc.version}` : ''}`;
  return `${host.os} ${host.arch}, ${libc}`;
}

/** Why the binary cannot run on the host (one phrase), or null when it can. */
export function platformMismatch(binary: BinaryPlatform, host: HostPlatform): string | null {
  if (binary.os !== 'Linux') return `this machine's Node.js is a ${binary.os} binary`;
  if (host.os !== 'Linux') return `the host runs ${host.os}`;
  if (binary.arch !== host.arch) return `the host's CPU is ${host.arch}, this machine's Node.js is built for ${binary.arch}`;
  if (binary.libc.kind === 'musl' && host.libc.kind !== 'musl') return 'this machine\'s Node.js is built for musl, the host has another C library';
  if (binary.libc.kind === 'glibc') {
    if (host.libc.kind === 'musl') return `the host's C library is musl (e.g. Alpine), this machine's Node.js needs glibc ${binary.libc.minVersion ?? ''}`.trimEnd();
    if (host.libc.kind !== 'glibc') return 'the host\'s C library is unknown (`ldd --version` named no glibc)';
    if (binary.libc.minVersion && compareVersions(host.libc.version, binary.libc.minVersion) < 0) return `the host has glibc ${host.libc.version}, this machine's Node.js needs glibc ${binary.libc.minVersion} or newer`;
  }
  return null;
}
