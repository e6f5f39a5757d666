/**
 * Files the user names on the command line, read one way: only regular, small files (a folder, a FIFO
 * or /dev/zero is a one-line `bad-input`), JSON errors naming the flag. The one `--model ID|FILE`
 * loader (an engine model for run/calibrate, a planner model for plan), `--gpu ID|FILE`, `--hosts FILE`.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname } from 'node:path';
import { modelPresets as engineModelPresets, validateModel, type ModelConfig } from '../../src-shared/engine-config.js';
import { ShardScopeError } from '../../src-shared/errors.js';
import { gpuSpecFromFile, listPresets, modelSpecSchema, type GpuSpec, type ModelSpec } from '../../src-shared/planner/index.js';
import { isHfConfig, modelFromHfConfig } from '../../src-shared/planner/hf-config.js';
import { parseOrBadInput } from '../../src-shared/planner/schemas.js';
import { readInputFile } from '../core/files/read-input-file.js';
import { parseHostsFile, type RunHost } from '../core/launch/remote-placement.js';
import { enginePreset } from '../core/runs/train-config.js';

/** The JSON in the file `value` of `--flag`; a missing file is `bad-input` saying it is neither `what` nor a readable JSON file. */
export function readJsonFlag(flag: string, value: string, what: string): unknown {
  if (!existsSync(value)) throw new ShardScopeError('bad-input', `--${flag} "${value}" is neither ${what} nor a readable JSON file`);
  const text = readInputFile(value, `--${flag}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShardScopeError('bad-input', `--${flag}: ${value} is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** A model the built-in engine trains: an engine preset id or a JSON file `{name, layers, hidden, heads, vocab, seqLen}`. */
export function engineModelFlag(value: string): { model: ModelConfig; isPreset: boolean } {
  if (Object.hasOwn(engineModelPresets, value) || !existsSync(value)) {
    try {
      return { model: enginePreset(value), isPreset: true };
    } catch (error) {
      // an unknown id: the preset lookup's message, which names the presets
      throw new ShardScopeError('bad-input', `--model: ${(error as Error).message}`);
    }
  }
  return { model: validateModel(readJsonFlag('model', value, 'an engine preset')), isPreset: false };
}

/** A model the planner sizes: a planner preset id, a JSON model file, or a Hugging Face config.json. */
export function plannerModelFlag(value: string): string | ModelSpec {
  const presets = listPresets().models;
  if (Object.hasOwn(presets, value)) return value;
  const json = readJsonFlag('model', value, `a preset (${Object.keys(presets).join(', ')})`);
  if (isHfConfig(json)) {
    // Name it after the folder holding config.json (as a Hugging Face snapshot is laid out), else the file.
    const name = basename(value) === 'config.json' ? basename(dirname(value)) || 'model' : basename(value).replace(/\.json$/, '');
    return parseOrBadInput(modelSpecSchema, modelFromHfConfig(json, name).spec, `config.json ${value}`);
  }
  return parseOrBadInput(modelSpecSchema, json, `model file ${value}`);
}

/** A catalogue GPU id, or a GPU spec file: a full spec, or `{"base": ID, ...changes}` over a catalogue entry. */
export function gpuFlag(value: string): string | GpuSpec {
  const gpus = listPresets().gpus;
  if (Object.hasOwn(gpus, value)) return value;
  return gpuSpecFromFile(readJsonFlag('gpu', value, `a catalogue GPU (${Object.keys(gpus).join(', ')})`), basename(value));
}

/** `--hosts FILE`: the JSON list of hosts a run, a probe or a clean-up goes to (users default to this user). */
export function hostsFileFlag(value: string, env: NodeJS.ProcessEnv): RunHost[] {
  if (!existsSync(value)) throw new ShardScopeError('bad-input', `--hosts: no such file ${value}`);
  return parseHostsFile(readInputFile(value, '--hosts'), env.USER ?? userInfo().username, `--hosts ${value}`);
}
