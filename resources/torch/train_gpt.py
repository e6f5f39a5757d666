"""ShardScope's reference PyTorch script: a byte-level GPT trained data parallel (DDP, or FSDP).

Launched by `shardscope run --engine torch`, one process per device, with the standard
torch.distributed environment (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK,
LOCAL_WORLD_SIZE) and the plan in SHARDSCOPE_PLAN_JSON (flags below override it). Also runs by
hand: `python3 train_gpt.py --steps 20` (one process) or under torchrun.

The model is ShardScope's GPT family (src-worker/engine, ../shared/peers/torch_gpt.py): token +
position embeddings, pre-LN blocks (causal multi-head attention, exact-GELU MLP of 4 x hidden),
final LN, untied LM head; init normal(0, 0.02), zero biases. Batches are the built-in engine's
(same seeded windows of the same corpus), so both engines see the same data.
Events (loss, tokens, step-time split, bytes, memory) go to stdout via shardscope_events.py.
"""
import argparse
import json
import os
import sys
import time

try:
    from shardscope_events import CommMeter, EventWriter, StepProfiler, ddp_comm_hook, exit_now, memory_bytes, process_memory_bytes, ring_all_reduce_bytes, start_stdin_lifeline, timed_all_reduce
except ImportError:  # deployed under a content-hashed name (data-<hash>-shardscope_events.py) next to this script
    import glob
    import importlib.util
    _found = sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "*shardscope_events.py")))
    if not _found:
        raise
    _spec = importlib.util.spec_from_file_location("shardscope_events", _found[-1])
    _helper = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_helper)
    CommMeter, EventWriter, ddp_comm_hook, memory_bytes = _helper.CommMeter, _helper.EventWriter, _helper.ddp_comm_hook, _helper.memory_bytes
    ring_all_reduce_bytes, start_stdin_lifeline, timed_all_reduce = _helper.ring_all_reduce_bytes, _helper.start_stdin_lifeline, _helper.timed_all_reduce
    exit_now, StepProfiler, process_memory_bytes = _helper.exit_now, _helper.StepProfiler, _helper.process_memory_bytes

events = EventWriter()
start_stdin_lifeline()
try:
    import torch
    import torch.distributed as dist
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as error:
    events.error("unavailable", f"PyTorch is not importable by {sys.executable} ({error}): install it, e.g. apt-get install -y python3-torch libopenblas0-pthread")
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))


class PlanError(Exception):
    """A plan this script cannot run (reported as bad-input)."""


class Unavailable(Exception):
    """Something this torch install lacks (reported as unavailable)."""


def read_plan():
    plan = json.loads(os.environ.get("SHARDSCOPE_PLAN_JSON", "{}"))
    model = plan.get("model", {})
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = {"layers": model.get("layers", 2), "hidden": model.get("hidden", 64), "heads": model.get("heads", 4),
                "vocab": model.get("vocab", 256), "seq-len": model.get("seqLen", 64), "steps": plan.get("steps", 20),
                "dp": plan.get("dp", int(os.environ.get("WORLD_SIZE", "1"))), "tp": plan.get("tp", 1), "pp": plan.get("pp", 1),
                "global-batch": plan.get("globalBatch", 8), "micro-batch": plan.get("microBatch", 0), "seed": plan.get("seed", 0)}
    for name, default in defaults.items():
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--lr", type=float, default=plan.get("learningRate", 3e-3))
    p.add_argument("--data", default=plan.get("dataPath") or os.path.join(HERE, "..", "corpus", "licenses.txt"))
    p.add_argument("--fsdp", action="store_true", default=plan.get("sharding") == "fsdp", help="shard with FSDP instead of DDP")
    p.add_argument("--backend", default=None, help="gloo | nccl (default: nccl on CUDA, else gloo)")
    p.add_argument("--threads", type=int, default=0, help="torch threads per rank (default: cores / ranks on this host)")
    return p.parse_args()


def check_plan(a, world):
    if a.tp != 1 or a.pp != 1:
        raise PlanError(f"the reference script trains data parallel only (tp=1, pp=1), got tp={a.tp} pp={a.pp}: pass your own --script for tensor or pipeline parallelism")
    if a.dp != world:
        raise PlanError(f"plan dp={a.dp} does not match WORLD_SIZE={world}")
    if a.hidden % a.heads != 0 or a.vocab > 256:
        raise PlanError(f"model hidden {a.hidden} must divide by heads {a.heads} and vocab {a.vocab} be at most 256")
    local_batch = a.global_batch // world
    micro = a.micro_batch or local_batch
    if a.global_batch % world != 0 or local_batch % micro != 0:
        raise PlanError(f"global batch {a.global_batch} must split into dp={world} x micro-batches of {micro}")
    return local_batch, micro


class Block(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.hidden, self.heads = hidden, heads
        self.ln1, self.qkv, self.proj = nn.LayerNorm(hidden), nn.Linear(hidden, 3 * hidden), nn.Linear(hidden, hidden)
        self.ln2, self.fc1, self.fc2 = nn.LayerNorm(hidden), nn.Linear(hidden, 4 * hidden), nn.Linear(4 * hidden, hidden)

    def forward(self, x):
        b, t, h = x.shape
        q, k, v = (z.view(b, t, self.heads, h // self.heads).transpose(1, 2) for z in self.qkv(self.ln1(x)).split(h, 2))
        att = (q @ k.transpose(-1, -2)) / ((h // self.heads) ** 0.5)
        att = att.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool, device=x.device), 1), float("-inf")).softmax(-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, h))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.tok, self.pos = nn.Embedding(a.vocab, a.hidden), nn.Embedding(a.seq_len, a.hidden)
        self.blocks = nn.Sequential(*[Block(a.hidden, a.heads) for _ in range(a.layers)])
        self.ln, self.head = nn.LayerNorm(a.hidden), nn.Linear(a.hidden, a.vocab)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, idx):
        return self.head(self.ln(self.blocks(self.tok(idx) + self.pos(torch.arange(idx.shape[1], device=idx.device)))))


def fnv1a(text):
    h = 0x811C9DC5
    for ch in text:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    return h


def mulberry32(seed):
    state = [seed & 0xFFFFFFFF]

    def imul(x, y):
        return (x * y) & 0xFFFFFFFF

    def nxt():
        state[0] = (state[0] + 0x6D2B79F5) & 0xFFFFFFFF
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296
    return nxt


def global_batch(corpus, step, a):
    """The built-in engine's batch of a step (src-worker/engine/data-loader.ts): seeded window offsets."""
    random = mulberry32(fnv1a(f"{a.seed}:batch:{step}"))
    starts = [int(random() * (len(corpus) - a.seq_len - 1)) for _ in range(a.global_batch)]
    rows = torch.stack([corpus[s:s + a.seq_len + 1] for s in starts]) % a.vocab
    return rows[:, :-1], rows[:, 1:]


def pick_gloo_interface():
    """Gloo binds to the address its host name resolves to, which on a multi-homed host (or in a network
    namespace) may not reach the others: unless GLOO_SOCKET_IFNAME is set, use the interface routing to MASTER_ADDR."""
    if os.environ.get("GLOO_SOCKET_IFNAME") or "MASTER_ADDR" not in os.environ:
        return
    import fcntl
    import socket
    import struct
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect((os.environ["MASTER_ADDR"], int(os.environ.get("MASTER_PORT", "29500"))))
        local = probe.getsockname()[0]
        for _, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(probe.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))  # SIOCGIFADDR
            except OSError:
                continue
            if socket.inet_ntoa(packed[20:24]) == local:
                os.environ["GLOO_SOCKET_IFNAME"] = name
                return
    except (OSError, ValueError):
        return
    finally:
        probe.close()


def main():
    a = read_plan()
    world, rank = int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("RANK", "0"))
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(world)))
    local_batch, micro = check_plan(a, world)
    use_cuda = torch.cuda.is_available() and a.backend != "gloo"
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")) % torch.cuda.device_count()) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    torch.set_num_threads(a.threads or max(1, (os.cpu_count() or 1) // local_world))
    backend = a.backend or ("nccl" if use_cuda else "gloo")
    distributed = world > 1
    if distributed:
        if backend == "gloo":
            pick_gloo_interface()
        dist.init_process_group(backend)
    torch.manual_seed(a.seed)
    if not os.path.isfile(a.data):
        raise PlanError(f"no training data at {a.data} (pass --data FILE)")
    with open(a.data, "rb") as f:
        corpus = torch.tensor(list(f.read()), dtype=torch.long)
    if len(corpus) < a.seq_len + 2:
        raise PlanError(f"training data {a.data} has {len(corpus)} bytes; needs at least {a.seq_len + 2}")

    model = GPT(a).to(device)
    params = sum(p.numel() for p in model.parameters())
    meter = CommMeter()
    if distributed and a.fsdp:
        try:
            from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
        except Exception as error:  # e.g. torch 1.13's FSDP does not import under Python 3.11+
            raise Unavailable(f"FSDP cannot be imported from torch {torch.__version__} under Python {sys.version.split()[0]} ({type(error).__name__}: {error}); use DDP (drop --fsdp) or a newer torch")
        model = FSDP(model, device_id=device if use_cuda else None)
    elif distributed:
        model = nn.parallel.DistributedDataParallel(model, device_ids=[device] if use_cuda else None)
        model.register_comm_hook(meter, ddp_comm_hook)
    params_on_rank = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), a.lr)
    # `--profile-steps A-B`: torch.profiler on those steps, sent as spans on rank 0's clock (no-op otherwise).
    profiler = StepProfiler(events)
    clock = profiler.align_clock(dist if distributed else None)
    events.run_start(backend=f"torch-{torch.__version__}-{backend}" + ("-fsdp" if a.fsdp and distributed else "-ddp" if distributed else ""),
                     device=str(device), params_on_rank=params_on_rank, optimizer_state_on_rank=2 * params_on_rank,
                     coords={"dpIndex": rank, "tpIndex": 0, "ppIndex": 0}, clock=clock)
    with profiler:
        for step in range(a.steps):
            meter.reset()
            if use_cuda:
                torch.cuda.reset_peak_memory_stats(device)
            started = time.perf_counter()
            tokens, targets = global_batch(corpus, step, a)
            tokens = tokens[rank * local_batch:(rank + 1) * local_batch].to(device)
            targets = targets[rank * local_batch:(rank + 1) * local_batch].to(device)
            opt.zero_grad(set_to_none=True)
            loss_sum = torch.zeros((), device=device)
            for first in range(0, local_batch, micro):
                last = first + micro >= local_batch
                sync = model.no_sync() if distributed and not last else _nothing()
                with sync:
                    logits = model(tokens[first:first + micro])
                    loss = F.cross_entropy(logits.reshape(-1, a.vocab), targets[first:first + micro].reshape(-1)) * (micro / local_batch)
                    loss.backward()
                loss_sum += loss.detach()
            opt.step()
            if distributed:
                timed_all_reduce(meter, loss_sum)
                loss_sum /= world
            if distributed and a.fsdp:
                # FSDP's collectives run inside forward/backward: their bytes follow from the flat parameters
                # (all-gather in forward and backward, reduce-scatter of gradients); their time stays in compute.
                full = params * 4
                moved = ring_all_reduce_bytes(full, world) // 2
                meter.add("allGather", 2 * moved, 2 * moved, 0.0)
                meter.add("reduceScatter", moved, moved, 0.0)
            loss_value = loss_sum.item()
            if use_cuda:
                torch.cuda.synchronize(device)
            total = time.perf_counter() - started
            memory, peak = memory_bytes(device)
            events.step(step, loss_value if rank == 0 else None, a.global_batch * a.seq_len, total, meter, memory, peak,
                        process_memory=None if use_cuda else process_memory_bytes())
            profiler.step()
    events.run_end(a.steps)
    # No destroy_process_group() and no interpreter teardown: in torch 1.13 the DDP reducer's Gloo
    # group can deadlock in its destructor (see exit_now); every collective has completed by now.
    exit_now(0)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    try:
        main()
    except PlanError as error:
        events.error("bad-input", str(error))
        exit_now(2)
    except Unavailable as error:
        events.error("unavailable", str(error))
        exit_now(1)
    except Exception as error:  # any failure ends this rank with an event the controller can name
        text = str(error)
        lost = any(s in text for s in ("Connection closed", "Connection reset", "Broken pipe", "connection refused", "Socket Timeout"))
        events.error("peer-lost" if lost else "worker-exit", f"{type(error).__name__}: {text}")
        exit_now(1)
