/** Placement of ranks on devices: round-robin over the devices given (local CPU cores by default). */
import { cpus } from 'node:os';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';

/** Where one rank runs. */
export interface RankPlacement {
  rank: number;
  host: string;
  /** `cpu:N` or `cuda:N`. */
  device: string;
}

/** This host's CPU cores as devices. */
export function localCpuDevices(): string[] {
  return Array.from({ length: Math.max(1, cpus().length) }, (_, i) => `cpu:${i}`);
}

/** Places `worldSize` ranks on `devices` of `host` in rank order (more ranks than devices share them). */
export function placeRanks(worldSize: number, devices: string[] = localCpuDevices(), host = LOCAL_HOST_ID): RankPlacement[] {
  return Array.from({ length: worldSize }, (_, rank) => ({ rank, host, device: devices[rank % devices.length] }));
}

/** Environment that pins a rank to its device (CUDA_VISIBLE_DEVICES for a GPU; nothing for a CPU). */
export function deviceEnv(device: string): Record<string, string> {
  const gpu = /^cuda:(\d+)$/.exec(device);
  return gpu ? { CUDA_VISIBLE_DEVICES: gpu[1] } : {};
}
