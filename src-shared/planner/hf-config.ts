/**
 * Reads a Hugging Face `config.json` into a model shape: llama, mistral, mixtral, qwen2, qwen2_moe, gpt2,
 * gpt_neox, opt, falcon and DeepSeek-style MoE (best effort). What is approximated or not understood is
 * returned as notes, never dropped silently.
 */
import { ShardScopeError } from '../errors.js';
import type { ModelSpec } from './schemas.js';

/** A shape read from a config, with what it approximated or did not understand. */
export interface HfModel {
  spec: ModelSpec;
  notes: string[];
}

type Json = Record<string, unknown>;

/** Keys that do not change memory, FLOPs or communication (tokens, initialisation, numerics, caching). */
const benignKeys = new Set([
  'architectures', 'model_type', 'torch_dtype', 'transformers_version', 'bos_token_id', 'eos_token_id', 'pad_token_id', 'sep_token_id',
  'decoder_start_token_id', 'initializer_range', 'rms_norm_eps', 'layer_norm_eps', 'layer_norm_epsilon', 'rope_theta', 'rotary_emb_base',
  'use_cache', 'attention_dropout', 'hidden_dropout', 'resid_pdrop', 'embd_pdrop', 'attn_pdrop', 'dropout', 'activation_dropout',
  'summary_type', 'summary_use_proj', 'summary_activation', 'summary_proj_to_labels', 'summary_first_dropout', 'task_specific_params',
  'scale_attn_weights', 'reorder_and_upcast_attn', 'scale_attn_by_inverse_layer_idx', 'output_router_logits', 'router_aux_loss_coef',
  'router_jitter_noise', 'aux_loss_alpha', 'seq_aux', 'norm_topk_prob', 'routed_scaling_factor', 'scoring_func', 'topk_method',
  'n_group', 'topk_group', 'use_sliding_window', 'max_window_layers', 'do_layer_norm_before', 'prefix', 'enable_bias', 'layerdrop',
  'init_std', '_name_or_path', 'auto_map', 'quantization_config', 'classifier_dropout', 'use_parallel_residual', 'parallel_attn',
  'hidden_act', 'activation_function', 'tie_word_embeddings', 'vocab_size', 'pretraining_tp', 'mlp_bias', 'attention_bias', 'head_dim',
  'bias', 'new_decoder_architecture', 'multi_query', 'alibi', 'num_kv_heads', 'n_head_kv', 'ep_size', 'moe_layer_freq', 'decoder_sparse_step',
  'mlp_only_layers', 'rope_scaling', 'sliding_window', 'rotary_pct', 'word_embed_proj_dim', 'n_ctx', 'num_key_value_heads',
]);

function num(c: Json, ...keys: string[]): number | undefined {
  for (const key of keys) if (typeof c[key] === 'number') return c[key] as number;
  return undefined;
}

function need(c: Json, what: string, ...keys: string[]): number {
  const value = num(c, ...keys);
  if (value === undefined) throw new ShardScopeError('bad-input', `config.json has no ${what} (${keys.join(' or ')})`);
  return value;
}

/** Whether a parsed JSON object looks like a Hugging Face config (has model_type or architectures). */
export function isHfConfig(json: unknown): json is Json {
  return typeof json === 'object' && json !== null && ('model_type' in json || 'architectures' in json);
}

/** Default planning sequence: the model's context up to 8,192 (longer contexts are set with --seq-len). */
function planningSeqLen(maxPositions: number | undefined, notes: string[]): number {
  const max = maxPositions ?? 2048;
  if (max > 8192) notes.push(`sequence length set to 8192 for planning (context ${max}); use --seq-len for longer`);
  return Math.min(max, 8192);
}

/** Reads a config.json object into a model shape named `name`; unknown families are read as Llama-style decoders with a note. */
export function modelFromHfConfig(c: Json, name: string): HfModel {
  const notes: string[] = [];
  const type = String(c.model_type ?? (Array.isArray(c.architectures) ? c.architectures[0] : 'unknown')).toLowerCase();
  let spec: ModelSpec;
  if (type === 'gpt2') {
    const hidden = need(c, 'hidden size', 'n_embd');
    spec = {
      name, layers: need(c, 'layer count', 'n_layer'), hidden, heads: need(c, 'head count', 'n_head'), vocab: need(c, 'vocabulary', 'vocab_size'),
      seqLen: need(c, 'positions', 'n_positions', 'n_ctx'), ffnHidden: num(c, 'n_inner') ?? 4 * hidden, mlp: 'gelu', positions: 'learned', tiedEmbeddings: true, bias: true,
    };
  } else if (type === 'opt') {
    spec = {
      name, layers: need(c, 'layer count', 'num_hidden_layers'), hidden: need(c, 'hidden size', 'hidden_size'), heads: need(c, 'head count', 'num_attention_heads'),
      vocab: need(c, 'vocabulary', 'vocab_size'), seqLen: need(c, 'positions', 'max_position_embeddings'), ffnHidden: need(c, 'MLP width', 'ffn_dim'),
      mlp: c.activation_function === 'gelu' ? 'gelu' : 'relu', positions: 'learned', tiedEmbeddings: c.tie_word_embeddings !== false, bias: c.enable_bias !== false,
    };
    if (num(c, 'word_embed_proj_dim') !== undefined && num(c, 'word_embed_proj_dim') !== spec.hidden) notes.push('word_embed_proj_dim projections are not counted');
  } else if (type === 'gpt_neox') {
    spec = {
      name, layers: need(c, 'layer count', 'num_hidden_layers'), hidden: need(c, 'hidden size', 'hidden_size'), heads: need(c, 'head count', 'num_attention_heads'),
      vocab: need(c, 'vocabulary', 'vocab_size'), seqLen: planningSeqLen(num(c, 'max_position_embeddings'), notes), ffnHidden: num(c, 'intermediate_size'),
      mlp: 'gelu', positions: 'rotary', tiedEmbeddings: c.tie_word_embeddings === true, bias: true,
    };
    if (c.use_parallel_residual) notes.push('parallel attention/MLP residual is planned as sequential (same FLOPs and memory)');
  } else if (type === 'falcon' || type === 'refinedweb' || type === 'refinedwebmodel') {
    const heads = need(c, 'head count', 'num_attention_heads', 'n_head');
    const kv = num(c, 'num_kv_heads', 'n_head_kv') ?? (c.multi_query ? 1 : heads);
    const hidden = need(c, 'hidden size', 'hidden_size');
    spec = {
      name, layers: need(c, 'layer count', 'num_hidden_layers', 'n_layer'), hidden, heads, kvHeads: c.new_decoder_architecture || c.multi_query || num(c, 'num_kv_heads') ? kv : heads,
      vocab: need(c, 'vocabulary', 'vocab_size'), seqLen: planningSeqLen(num(c, 'max_position_embeddings') ?? 2048, notes), ffnHidden: num(c, 'ffn_hidden_size') ?? 4 * hidden,
      mlp: 'gelu', positions: 'rotary', tiedEmbeddings: c.tie_word_embeddings !== false, bias: c.bias === true,
    };
    if (c.alibi) notes.push('ALiBi positions: no position table, like rotary');
    if (c.parallel_attn !== false) notes.push('parallel attention/MLP block is planned as sequential (same FLOPs and memory)');
  } else {
    const known = ['llama', 'mistral', 'mixtral', 'qwen2', 'qwen2_moe', 'qwen3', 'qwen3_moe', 'deepseek_v2', 'deepseek_v3', 'gemma', 'phi3'].includes(type);
    if (!known) notes.push(`model_type "${type}" is not known: read as a Llama-style decoder (SwiGLU, rotary, no biases)`);
    const heads = need(c, 'head count', 'num_attention_heads');
    spec = {
      name, layers: need(c, 'layer count', 'num_hidden_layers'), hidden: need(c, 'hidden size', 'hidden_size'), heads, kvHeads: num(c, 'num_key_value_heads') ?? heads,
      vocab: need(c, 'vocabulary', 'vocab_size'), seqLen: planningSeqLen(num(c, 'max_position_embeddings'), notes), ffnHidden: need(c, 'MLP width', 'intermediate_size'),
      mlp: c.hidden_act === 'gelu' || c.hidden_act === 'gelu_new' ? 'gelu' : 'swiglu', positions: 'rotary', tiedEmbeddings: c.tie_word_embeddings === true, bias: c.mlp_bias === true,
    };
    if (type.startsWith('qwen2') || c.attention_bias === true) notes.push('Q/K/V biases are left out (under 0.1% of parameters)');
    if (num(c, 'head_dim') !== undefined && num(c, 'head_dim') !== spec.hidden / heads) notes.push(`head_dim ${String(c.head_dim)} differs from hidden/heads: attention widths are taken as hidden/heads`);
    if (c.sliding_window && c.use_sliding_window !== false && type === 'mistral') notes.push(`sliding-window attention (${String(c.sliding_window)}) is planned as full causal attention`);
    if (c.rope_scaling) notes.push('rope_scaling does not change training cost and is ignored');
    const experts = num(c, 'num_local_experts', 'n_routed_experts', 'num_experts');
    if (experts !== undefined && experts > 1) {
      const expertFfn = num(c, 'moe_intermediate_size') ?? spec.ffnHidden!;
      const sharedWidth = num(c, 'shared_expert_intermediate_size');
      const shared = num(c, 'n_shared_experts') ?? (sharedWidth ? Math.max(1, Math.round(sharedWidth / expertFfn)) : 0);
      if (sharedWidth && sharedWidth % expertFfn !== 0) notes.push(`shared expert width ${sharedWidth} is counted as ${shared} experts of width ${expertFfn}`);
      spec.moe = { experts, topK: need(c, 'experts per token', 'num_experts_per_tok'), sharedExperts: shared, expertFfnHidden: expertFfn, denseLayers: num(c, 'first_k_dense_replace') ?? 0 };
      if (num(c, 'moe_layer_freq', 'decoder_sparse_step') !== undefined && num(c, 'moe_layer_freq', 'decoder_sparse_step') !== 1) notes.push('MoE layers at a frequency other than every layer are planned as every layer after the dense ones');
    }
    if (num(c, 'kv_lora_rank') !== undefined) {
      notes.push('multi-head latent attention (q/kv LoRA ranks) is approximated as full multi-head attention');
      spec.kvHeads = heads;
    }
  }
  const mlaKeys = ['kv_lora_rank', 'q_lora_rank', 'qk_rope_head_dim', 'qk_nope_head_dim', 'v_head_dim', 'num_local_experts', 'n_routed_experts', 'num_experts',
    'num_experts_per_tok', 'moe_intermediate_size', 'shared_expert_intermediate_size', 'n_shared_experts', 'first_k_dense_replace', 'ffn_dim', 'ffn_hidden_size',
    'intermediate_size', 'n_inner', 'n_embd', 'n_layer', 'n_head', 'n_positions', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'max_position_embeddings'];
  const unknown = Object.keys(c).filter((k) => !benignKeys.has(k) && !mlaKeys.includes(k));
  if (unknown.length > 0) notes.push(`not understood (ignored): ${unknown.join(', ')}`);
  spec.attention = 'flash';
  spec.source = `Hugging Face config.json (model_type ${type})`;
  return { spec: { ...spec, notes: notes.length > 0 ? notes : undefined }, notes };
}
