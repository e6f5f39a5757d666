/** Energy model: GPU power by phase from TDP and idle power, host share, and per-byte link energy. */
import type { GpuSpec } from './schemas.js';

/** Kinds of link bytes travel over. */
export type LinkKind = 'nvlink' | 'pcie' | 'loopback' | 'network';

/**
 * Energy to move one byte over each link kind, in joules (documented in docs/planner.md):
 * NVLink ~5 pJ/bit incl. NVSwitch, PCIe ~15 pJ/bit incl. host bridge, network ~60 pJ/bit
 * (two NICs and a switch hop), loopback ~10 pJ/bit (memory copies through host DRAM).
 */
export const linkJoulesPerByte: Record<LinkKind, number> = {
  nvlink: 5e-12 * 8,
  pcie: 15e-12 * 8,
  loopback: 10e-12 * 8,
  network: 60e-12 * 8,
};

/** Fraction of the idle-to-TDP range a GPU draws in each phase of a step (assumptions, see docs/planner.md). */
export const phaseActivity = { compute: 1.0, communication: 0.3, bubble: 0 } as const;

/** Seconds a GPU spends in each phase of one step. */
export interface PhaseSeconds {
  compute: number;
  communication: number;
  bubble: number;
}

/** Energy of one GPU (plus its host share) over one step, split by cause. */
export interface GpuStepEnergy {
  computeJoules: number;
  communicationJoules: number;
  idleJoules: number;
  hostJoules: number;
  linkJoules: number;
}

/** Power draw of a GPU at an activity level between idle (0) and TDP (1). */
export function gpuPowerWatts(gpu: GpuSpec, activity: number): number {
  return gpu.idleWatts + (gpu.tdpWatts - gpu.idleWatts) * activity;
}

/** One GPU's energy for one step: phase power × phase time, host share × step time, bytes × per-byte link energy. */
export function gpuStepEnergy(gpu: GpuSpec, phases: PhaseSeconds, bytesByLink: Partial<Record<LinkKind, number>>): GpuStepEnergy {
  const stepSeconds = phases.compute + phases.communication + phases.bubble;
  let linkJoules = 0;
  for (const [kind, bytes] of Object.entries(bytesByLink) as [LinkKind, number][]) linkJoules += bytes * linkJoulesPerByte[kind];
  return {
    computeJoules: gpuPowerWatts(gpu, phaseActivity.compute) * phases.compute,
    communicationJoules: gpuPowerWatts(gpu, phaseActivity.communication) * phases.communication,
    idleJoules: gpuPowerWatts(gpu, phaseActivity.bubble) * phases.bubble,
    hostJoules: gpu.hostWattsPerGpu * stepSeconds,
    linkJoules,
  };
}

/** Whole-run energy as the papers report it: GPU-hours × power (× PUE), in joules. */
export function gpuHoursEnergyJoules(gpuHours: number, powerWatts: number, pue = 1): number {
  return gpuHours * 3600 * powerWatts * pue;
}
