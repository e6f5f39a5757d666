/** Placement of ranks across hosts: each host's devices filled in order, host after host. */
import { z } from 'zod';
import { runtimePathSchema } from '../../../src-shared/api/hosts-contract.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import type { RemoteTarget } from '../ssh/target.js';
import { localCpuDevices, type RankPlacement } from './placement.js';


/** One host of a run: this machine or an SSH target, with the devices its ranks use. */
export type RunHost =
  | { kind: 'local'; id: string; devices: string[] }
  | { kind: 'remote'; id: string; target: RemoteTarget; devices: string[]; node?: string; python?: string };

const deviceSchema = z.string().regex(/^(cpu|cuda):\d+$/, 'a device is cpu:N or cuda:N');
const entrySchema = z.union([
  z.literal(LOCAL_HOST_ID),
  z.object({ local: z.literal(true), slots: z.number().int().min(1).max(64).optional(), devices: z.array(deviceSchema).min(1).optional() }).strict(),
  z.object({
    id: z.string().min(1).max(100).optional(),
    host: z.string().min(1).max(255),
    user: z.string().min(1).max(64).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    identityFile: z.string().min(1).optional(),
    slots: z.number().int().min(1).max(64).optional(),
    devices: z.array(deviceSchema).min(1).optional(),
    /** Runtime settings: the host's Node.js 20+ and Python (default: PATH, and a shipped Node.js when it has none). */
    node: runtimePathSchema.optional(),
    python: runtimePathSchema.optional(),
  }).strict(),
]);

/** A hosts file: a JSON list of `"local"`, `{local: true, slots}` or `{host, user?, port?, identityFile?, slots? | devices?, node?, python?}`. */
export const hostsFileSchema = z.array(entrySchema).min(1);

/** Parses a hosts file's text into run hosts; `defaultUser` for entries without `user`. */
export function parseHostsFile(text: string, defaultUser: string, source = 'hosts file'): RunHost[] {
  let value: unknown;
  try { value = JSON.parse(text); } catch { throw new ShardScopeError('bad-input', `${source} is not valid JSON`); }
  const parsed = hostsFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ShardScopeError('bad-input', `${source}: entry ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const hosts = parsed.data.map((entry): RunHost => {
    if (entry === 'local' || 'local' in entry) {
      const e: { slots?: number; devices?: string[] } = entry === LOCAL_HOST_ID ? {} : entry;
      return { kind: 'local', id: LOCAL_HOST_ID, devices: devicesOf(e.devices, e.slots, localCpuDevices().length) };
    }
    const port = entry.port ?? 22;
    const target: RemoteTarget = { id: entry.id ?? entry.host, host: entry.host, port, user: entry.user ?? defaultUser, ...(entry.identityFile ? { identityFiles: [entry.identityFile] } : {}) };
    return { kind: 'remote', id: target.id, target, devices: devicesOf(entry.devices, entry.slots, 1), ...(entry.node ? { node: entry.node } : {}), ...(entry.python ? { python: entry.python } : {}) };
  });
  const ids = hosts.map((h) => h.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new ShardScopeError('bad-input', `${source}: host "${dup}" is listed twice (give one of them another "id")`);
  return hosts;
}

function devicesOf(devices: string[] | undefined, slots: number | undefined, defaultSlots: number): string[] {
  if (devices) return devices;
  return Array.from({ length: slots ?? defaultSlots }, (_, i) => `cpu:${i}`);
}

/** Places ranks 0..worldSize-1 on the hosts' devices in order; too few devices is `bad-input`. */
export function placeRanksOnHosts(worldSize: number, hosts: readonly RunHost[]): RankPlacement[] {
  const slots = hosts.flatMap((h) => h.devices.map((device) => ({ host: h.id, device })));
  if (slots.length < worldSize) {
    throw new ShardScopeError('bad-input', `the strategy needs ${worldSize} ranks but the hosts offer ${slots.length} device slot(s) (${hosts.map((h) => `${h.id}: ${h.devices.length}`).join(', ')}); add slots or hosts`);
  }
  return slots.slice(0, worldSize).map((slot, rank) => ({ rank, ...slot }));
}
