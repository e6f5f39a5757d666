/** The GPU catalogue and model presets (resources/*.json), validated once and looked up by id. */
import { z } from 'zod';
import gpusJson from '../../resources/gpus.json';
import modelsJson from '../../resources/models.json';
import { ShardScopeError } from '../errors.js';
import { gpuSpecSchema, modelSpecSchema, parseOrBadInput, type GpuSpec, type ModelSpec } from './schemas.js';

const gpuCatalogue: Record<string, GpuSpec> = z.record(z.string(), gpuSpecSchema).parse(gpusJson);
const modelPresets: Record<string, ModelSpec> = z.record(z.string(), modelSpecSchema).parse(modelsJson);

/** Ids of the GPU catalogue and model presets, with their specs, for pickers in the UI and `--help`. */
export function listPresets(): { models: Record<string, ModelSpec>; gpus: Record<string, GpuSpec> } {
  return { models: { ...modelPresets }, gpus: { ...gpuCatalogue } };
}

/** Looks up a model preset; unknown ids are `bad-input` naming the choices. */
export function modelPreset(id: string): ModelSpec {
  const spec = Object.hasOwn(modelPresets, id) ? modelPresets[id] : undefined;
  if (!spec) throw new ShardScopeError('bad-input', `unknown model "${id}" (presets: ${Object.keys(modelPresets).join(', ')}; or give a JSON file)`);
  return spec;
}

/** Looks up a GPU type; unknown ids are `bad-input` naming the choices. */
export function gpuSpec(id: string): GpuSpec {
  const spec = Object.hasOwn(gpuCatalogue, id) ? gpuCatalogue[id] : undefined;
  if (!spec) throw new ShardScopeError('bad-input', `unknown GPU "${id}" (known: ${Object.keys(gpuCatalogue).join(', ')})`);
  return spec;
}

/**
 * A GPU spec read from a file: a full spec, or `{"base": ID, ...changes}` over a catalogue entry (a calibration,
 * another TDP or link); `label` names the file in the spec's name. Invalid specs are `bad-input`.
 */
export function gpuSpecFromFile(json: unknown, label: string): GpuSpec {
  if (typeof json === 'object' && json !== null && typeof (json as { base?: unknown }).base === 'string') {
    const { base: baseId, ...changes } = json as { base: string } & Record<string, unknown>;
    const base = gpuCatalogue[baseId];
    if (!base) throw new ShardScopeError('bad-input', `GPU file ${label}: unknown base "${baseId}" (known: ${Object.keys(gpuCatalogue).join(', ')})`);
    return parseOrBadInput(gpuSpecSchema, { ...base, name: `${base.name} (${label})`, ...changes }, `GPU file ${label}`);
  }
  return parseOrBadInput(gpuSpecSchema, json, `GPU file ${label}`);
}
