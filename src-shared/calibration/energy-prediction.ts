/**
 * A run's predicted energy from the hosts' calibrated power: each GPU a rank uses at its loaded power
 * (nvidia-smi power.draw while the PyTorch CUDA calibration ran) plus each host's CPU packages at their
 * loaded RAPL power where RAPL was read; hosts whose ranks compute on CPU need RAPL. Power x the predicted
 * step time / tokens per step = J/token, with its basis named. Where a figure is missing the result is null
 * with the gap said, never a catalogue guess.
 */
import type { HostCalibration } from './calibration-record.js';

/** One rank of the run: its host and the GPU it computes on (null: CPU). */
export interface EnergyRank {
  rank: number;
  hostId: string;
  gpuIndex: number | null;
}

/** The energy side of a run's prediction. */
export interface PredictedEnergy {
  joulesPerToken: number | null;
  /** Watts of everything counted, while the run computes. */
  powerWatts: number | null;
  /** What it is made from (`from calibration #N power: ...`); null when not predicted. */
  basis: string | null;
  /** Why it is not predicted, or what it leaves out. */
  gaps: string[];
}

/** What the prediction needs. */
export interface EnergyInputs {
  stepTimeSeconds: number;
  tokensPerStep: number;
  ranks: EnergyRank[];
  calibrationOf: (hostId: string) => HostCalibration | null;
}

function watts(w: number): string {
  return `${w.toFixed(1)} W`;
}

/** The run's J/token and power from calibrated power, or null with the reason. */
export function predictEnergy(inputs: EnergyInputs): PredictedEnergy {
  const gaps: string[] = [];
  const parts: string[] = [];
  let total = 0;
  let complete = true;
  const hosts = [...new Set(inputs.ranks.map((r) => r.hostId))];
  for (const hostId of hosts) {
    const c = inputs.calibrationOf(hostId);
    if (!c) {
      gaps.push(`no power calibration: ${hostId} has never been calibrated (run shardscope calibrate)`);
      complete = false;
      continue;
    }
    const label = `calibration #${c.id ?? '-'}`;
    const gpuIndices = [...new Set(inputs.ranks.filter((r) => r.hostId === hostId && r.gpuIndex !== null).map((r) => r.gpuIndex as number))].sort((a, b) => a - b);
    const hasCpuRanks = inputs.ranks.some((r) => r.hostId === hostId && r.gpuIndex === null);
    const loadedGpus = (c.gpuPower?.gpus ?? []).filter((g) => g.loadedWatts !== null);
    for (const index of gpuIndices) {
      const own = loadedGpus.find((g) => g.index === index);
      const stand = own ?? loadedGpus[0];
      if (!stand) {
        const why = c.missing.find((m) => m.includes('loaded GPU power') || m.startsWith('GPU power')) ?? `${label} of ${hostId} has no GPU power (made before it was measured, or no nvidia-smi there)`;
        gaps.push(`no power calibration for GPU ${index} of ${hostId}: ${why}`);
        complete = false;
        continue;
      }
      if (!own) gaps.push(`GPU ${index} of ${hostId}: loaded power taken from GPU ${stand.index}'s (only GPU ${loadedGpus.map((g) => g.index).join(', ')} ran the calibration's GPU workload)`);
      total += stand.loadedWatts as number;
      parts.push(`GPU ${index} of ${hostId} ${watts(stand.loadedWatts as number)} loaded (from ${label} power, ${c.gpuPower?.source})`);
    }
    if (c.power) {
      total += c.power.loadedWatts;
      parts.push(`CPU of ${hostId} ${watts(c.power.loadedWatts)} loaded (from ${label} power, ${c.power.source})`);
    } else {
      const why = c.missing.find((m) => m.startsWith('CPU power') || m.startsWith('power:')) ?? `RAPL not read by ${label} of ${hostId}`;
      if (hasCpuRanks) {
        gaps.push(`no power calibration for the CPU ranks on ${hostId}: ${why}`);
        complete = false;
      } else gaps.push(`CPU power of ${hostId} left out (measured energy includes it): ${why}`);
    }
  }
  if (!complete || inputs.tokensPerStep <= 0 || !(inputs.stepTimeSeconds > 0)) return { joulesPerToken: null, powerWatts: null, basis: null, gaps };
  return {
    joulesPerToken: (total * inputs.stepTimeSeconds) / inputs.tokensPerStep,
    powerWatts: total,
    basis: `${watts(total)} x predicted step ${inputs.stepTimeSeconds.toPrecision(3)} s / ${inputs.tokensPerStep} tokens per step, from ${parts.join(' + ')}`,
    gaps,
  };
}
