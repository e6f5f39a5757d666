"""Trains ShardScope's GPT in PyTorch from weights and batches given on stdin; prints the per-step losses.

Input (JSON): {"model": {layers, hidden, heads, vocab, seqLen}, "lr": x, "params": {name: flat list},
"batches": [{"tokens": flat, "targets": flat}], "batch": B}. ShardScope stores matrices as [in, out]
(x @ w); torch.nn.Linear holds [out, in], so matrices are transposed on the way in.
The architecture is that of ../../../../../shared/peers/torch_gpt.py, with its sizes as parameters.
"""
import json, sys
import torch, torch.nn as nn, torch.nn.functional as F

torch.set_num_threads(1)
spec = json.load(sys.stdin)
m = spec["model"]
L, H, A, S, V, B = m["layers"], m["hidden"], m["heads"], m["seqLen"], m["vocab"], spec["batch"]

class Block(nn.Module):
    def __init__(s):
        super().__init__()
        s.ln1, s.qkv, s.o = nn.LayerNorm(H), nn.Linear(H, 3 * H), nn.Linear(H, H)
        s.ln2, s.f1, s.f2 = nn.LayerNorm(H), nn.Linear(H, 4 * H), nn.Linear(4 * H, H)
    def forward(s, x):
        b, t, _ = x.shape
        q, k, v = s.qkv(s.ln1(x)).split(H, 2)
        q, k, v = (z.view(b, t, A, H // A).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-1, -2)) / ((H // A) ** 0.5)
        att = att.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf")).softmax(-1)
        x = x + s.o((att @ v).transpose(1, 2).reshape(b, t, H))
        return x + s.f2(F.gelu(s.f1(s.ln2(x))))

class GPT(nn.Module):
    def __init__(s):
        super().__init__()
        s.emb, s.pos = nn.Embedding(V, H), nn.Embedding(S, H)
        s.blocks = nn.Sequential(*[Block() for _ in range(L)])
        s.ln, s.head = nn.LayerNorm(H), nn.Linear(H, V)
    def forward(s, idx):
        return s.head(s.ln(s.blocks(s.emb(idx) + s.pos(torch.arange(idx.shape[1])))))

model = GPT()
p = spec["params"]
def put(param, name, shape, transpose=False):
    value = torch.tensor(p[name], dtype=torch.float32).view(*shape)
    param.data.copy_(value.t() if transpose else value)
with torch.no_grad():
    put(model.emb.weight, "wte", (V, H)); put(model.pos.weight, "wpe", (S, H))
    for l, blk in enumerate(model.blocks):
        n = f"h{l}."
        put(blk.ln1.weight, n + "ln1.g", (H,)); put(blk.ln1.bias, n + "ln1.b", (H,))
        put(blk.qkv.weight, n + "qkv.w", (H, 3 * H), True); put(blk.qkv.bias, n + "qkv.b", (3 * H,))
        put(blk.o.weight, n + "o.w", (H, H), True); put(blk.o.bias, n + "o.b", (H,))
        put(blk.ln2.weight, n + "ln2.g", (H,)); put(blk.ln2.bias, n + "ln2.b", (H,))
        put(blk.f1.weight, n + "fc1.w", (H, 4 * H), True); put(blk.f1.bias, n + "fc1.b", (4 * H,))
        put(blk.f2.weight, n + "fc2.w", (4 * H, H), True); put(blk.f2.bias, n + "fc2.b", (H,))
    put(model.ln.weight, "lnf.g", (H,)); put(model.ln.bias, "lnf.b", (H,))
    put(model.head.weight, "head.w", (H, V), True); put(model.head.bias, "head.b", (V,))

opt = torch.optim.Adam(model.parameters(), spec["lr"])
losses = []
for batch in spec["batches"]:
    x = torch.tensor(batch["tokens"]).view(B, S)
    y = torch.tensor(batch["targets"]).view(B, S)
    loss = F.cross_entropy(model(x).view(-1, V), y.view(-1))
    opt.zero_grad(); loss.backward(); opt.step()
    losses.append(loss.item())
print(json.dumps({"params": sum(q.numel() for q in model.parameters()), "losses": losses}))
