/** Pure parsers for what a Linux host prints about itself: uname -srm, /etc/os-release, /proc/cpuinfo, /proc/meminfo. */

/** `uname -srm` -> platform, release, arch ("Linux 6.1.0-18-amd64 x86_64"). */
export function parseUname(text: string): { platform: string; release: string; arch: string } {
  const [kernel = '', release = '', arch = ''] = text.trim().split(/\s+/);
  return { platform: kernel.toLowerCase() || 'unknown', release: release || 'unknown', arch: arch || 'unknown' };
}

/** `/etc/os-release` -> its PRETTY_NAME (else NAME VERSION), unquoted. */
export function parseOsRelease(text: string): string {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) fields[match[1]] = match[2].replace(/^(["'])(.*)\1$/, '$2').replace(/\\(["$`\\])/g, '$1');
  }
  return fields.PRETTY_NAME || [fields.NAME, fields.VERSION].filter(Boolean).join(' ') || 'unknown';
}

/** `/proc/cpuinfo` -> model name and physical core count (distinct physical id/core id pairs; falls back to `nproc`). */
export function parseCpuInfo(text: string, logicalCores: number): { model: string; physicalCores: number } {
  let model = '';
  const cores = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1]?.trim();
    model ||= field('model name') ?? field('Model') ?? field('cpu model') ?? '';
    const physicalId = field('physical id');
    const coreId = field('core id');
    if (physicalId !== undefined && coreId !== undefined) cores.add(`${physicalId}/${coreId}`);
  }
  return { model: model || 'unknown CPU', physicalCores: cores.size > 0 ? cores.size : logicalCores };
}

/** `/proc/meminfo` -> MemTotal in bytes (0 when absent). */
export function parseMemInfoTotalBytes(text: string): number {
  const match = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}

/** `node --version` -> "v20.11.1", or null when the output is not a version. */
export function parseNodeVersion(text: string): string | null {
  const match = /^v\d+\.\d+\.\d+\S*$/.exec(text.trim());
  return match ? match[0] : null;
}
