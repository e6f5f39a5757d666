// Hugging Face config.json files (as published on the Hub) read into model shapes, with what is not understood said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelFromHfConfig } from '../../../src-shared/planner/hf-config.js';
import { parameterCount, resolveModel } from '../../../src-shared/planner/model-math.js';

const params = (c: Record<string, unknown>) => parameterCount(resolveModel(modelFromHfConfig(c, 'm').spec));

test('llama, mistral and qwen2 configs give their published parameter counts', () => {
  const llama3 = { architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 4096, intermediate_size: 14336, num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, vocab_size: 128256, max_position_embeddings: 8192, rope_theta: 500000.0, tie_word_embeddings: false, hidden_act: 'silu', torch_dtype: 'bfloat16' };
  assert.ok(Math.abs(params(llama3) / 8.03e9 - 1) < 0.005);
  assert.deepEqual(modelFromHfConfig(llama3, 'm').notes, []);
  const mistral = { model_type: 'mistral', hidden_size: 4096, intermediate_size: 14336, num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, vocab_size: 32000, max_position_embeddings: 32768, sliding_window: 4096, hidden_act: 'silu' };
  const m = modelFromHfConfig(mistral, 'm');
  assert.ok(Math.abs(params(mistral) / 7.24e9 - 1) < 0.005);
  assert.equal(m.spec.seqLen, 8192);
  assert.ok(m.notes.some((n) => /sliding-window/.test(n)) && m.notes.some((n) => /--seq-len/.test(n)));
  const qwen = { model_type: 'qwen2', hidden_size: 3584, intermediate_size: 18944, num_attention_heads: 28, num_hidden_layers: 28, num_key_value_heads: 4, vocab_size: 152064, max_position_embeddings: 131072, tie_word_embeddings: false, hidden_act: 'silu' };
  assert.ok(Math.abs(params(qwen) / 7.62e9 - 1) < 0.005);
  assert.ok(modelFromHfConfig(qwen, 'm').notes.some((n) => /Q\/K\/V biases/.test(n)));
});

test('gpt2, gpt_neox, opt and falcon configs map their own key names', () => {
  assert.ok(Math.abs(params({ model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, vocab_size: 50257, n_positions: 1024, n_ctx: 1024, activation_function: 'gelu_new' }) / 124.4e6 - 1) < 0.005);
  assert.ok(Math.abs(params({ model_type: 'gpt_neox', hidden_size: 6144, intermediate_size: 24576, num_attention_heads: 64, num_hidden_layers: 44, vocab_size: 50432, max_position_embeddings: 2048, rotary_pct: 0.25, use_parallel_residual: true }) / 20.55e9 - 1) < 0.01);
  assert.ok(Math.abs(params({ model_type: 'opt', hidden_size: 2048, ffn_dim: 8192, num_attention_heads: 32, num_hidden_layers: 24, vocab_size: 50272, max_position_embeddings: 2048, activation_function: 'relu', word_embed_proj_dim: 2048 }) / 1.316e9 - 1) < 0.01);
  const falcon = modelFromHfConfig({ model_type: 'falcon', hidden_size: 4544, num_attention_heads: 71, num_hidden_layers: 32, vocab_size: 65024, multi_query: true, parallel_attn: true, bias: false, alibi: false }, 'f');
  assert.equal(falcon.spec.kvHeads, 1);
  assert.ok(Math.abs(parameterCount(resolveModel(falcon.spec)) / 6.92e9 - 1) < 0.03);
});

test('mixtral and DeepSeek-V3 MoE configs, with approximations said', () => {
  const mixtral = { model_type: 'mixtral', hidden_size: 4096, intermediate_size: 14336, num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, vocab_size: 32000, max_position_embeddings: 32768, num_local_experts: 8, num_experts_per_tok: 2, output_router_logits: false };
  assert.ok(Math.abs(params(mixtral) / 46.7e9 - 1) < 0.005);
  const v3 = { model_type: 'deepseek_v3', hidden_size: 7168, intermediate_size: 18432, moe_intermediate_size: 2048, num_attention_heads: 128, num_hidden_layers: 61, num_key_value_heads: 128, vocab_size: 129280, max_position_embeddings: 163840,
    n_routed_experts: 256, n_shared_experts: 1, num_experts_per_tok: 8, first_k_dense_replace: 3, kv_lora_rank: 512, q_lora_rank: 1536, qk_rope_head_dim: 64, qk_nope_head_dim: 128, v_head_dim: 128, num_nextn_predict_layers: 1 };
  const r = modelFromHfConfig(v3, 'v3');
  assert.deepEqual(r.spec.moe, { experts: 256, topK: 8, sharedExperts: 1, expertFfnHidden: 2048, denseLayers: 3 });
  assert.ok(Math.abs(params(v3) / 671e9 - 1) < 0.03);
  assert.ok(r.notes.some((n) => /latent attention/.test(n)));
  assert.ok(r.notes.some((n) => /not understood \(ignored\): num_nextn_predict_layers/.test(n)));
});

test('an unknown family is read as Llama-style and says so; a config without a needed key is a one-line bad-input', () => {
  const r = modelFromHfConfig({ model_type: 'newarch', hidden_size: 1024, intermediate_size: 4096, num_attention_heads: 16, num_hidden_layers: 8, vocab_size: 1000, max_position_embeddings: 2048 }, 'x');
  assert.ok(r.notes[0].includes('"newarch" is not known'));
  assert.throws(() => modelFromHfConfig({ model_type: 'llama', hidden_size: 1024, num_attention_heads: 16 }, 'x'), (e: Error & { kind?: string }) => e.kind === 'bad-input' && /no layer count \(num_hidden_layers\)/.test(e.message));
});
