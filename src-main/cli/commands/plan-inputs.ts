/** Inputs of `shardscope plan` read from files: a model (preset, shape file or Hugging Face config.json) and a GPU (catalogue id or spec file). */
import { existsSync } from 'node:fs';
import { readInputFile } from '../../core/files/read-input-file.js';
import { basename, dirname } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { gpuSpecFromFile, listPresets, modelSpecSchema, type GpuSpec, type ModelSpec } from '../../../src-shared/planner/index.js';
import { isHfConfig, modelFromHfConfig } from '../../../src-shared/planner/hf-config.js';
import { parseOrBadInput } from '../../../src-shared/planner/schemas.js';

/** Reads a JSON file for a flag; unreadable or invalid files are one-line `bad-input`. */
function readJson(flag: string, value: string, what: string): unknown {
  if (!existsSync(value)) throw new ShardScopeError('bad-input', `--${flag} "${value}" is neither ${what} nor a readable JSON file`);
  // Only a regular, small file: a folder, a FIFO or /dev/zero is a one-line error, not a hang.
  const text = readInputFile(value, `--${flag}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShardScopeError('bad-input', `${flag} file ${value} is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** A preset id, a JSON model file `{name, layers, hidden, heads, vocab, seqLen}`, or a Hugging Face config.json. */
export function loadModel(value: string): string | ModelSpec {
  const presets = listPresets().models;
  if (Object.hasOwn(presets, value)) return value;
  const json = readJson('model', value, `a preset (${Object.keys(presets).join(', ')})`);
  if (isHfConfig(json)) {
    // Name it after the folder holding config.json (as a Hugging Face snapshot is laid out), else the file.
    const name = basename(value) === 'config.json' ? basename(dirname(value)) || 'model' : basename(value).replace(/\.json$/, '');
    return parseOrBadInput(modelSpecSchema, modelFromHfConfig(json, name).spec, `config.json ${value}`);
  }
  return parseOrBadInput(modelSpecSchema, json, `model file ${value}`);
}

/** A catalogue id, or a GPU spec file: a full spec, or `{"base": ID, ...changes}` over a catalogue entry. */
export function loadGpu(value: string): string | GpuSpec {
  const gpus = listPresets().gpus;
  if (Object.hasOwn(gpus, value)) return value;
  return gpuSpecFromFile(readJson('gpu', value, `a catalogue GPU (${Object.keys(gpus).join(', ')})`), basename(value));
}
