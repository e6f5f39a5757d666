"""PyTorch calibration of one host for `shardscope calibrate`: float32 matrix-product throughput at
the model's GEMM shapes (CUDA when PyTorch sees a GPU, else CPU) and Gloo all-reduce time against
message size between two local ranks. With --step-model, also the reference script's own training step
(train_gpt.py's GPT, cross-entropy, Adam; the way `run --engine torch` trains): forward + backward per
micro-batch size at 1 thread and, at the two largest sizes, at all cores (a run gives each rank cores / ranks threads), the optimizer
step, and how much slower 2 ranks compute it at once than one alone (interleaved in the 2 Gloo ranks, means).
Prints one JSON line:
{"torch", "python", "device", "threads", "matmul": [{m, k, n, flopsPerSecond}], "allReduce": [{bytes, seconds}],
 "step"?: {"forwardBackward": [{batch, threads, seconds}], "optimizer": [{threads, seconds}], "contention": {processes, slowdown}}}.

usage: calibrate_torch.py --gemm M,K,N[;M,K,N...] --sizes-bytes 4,65536,... [--reps N]
       [--step-model '{"layers","hidden","heads","vocab","seqLen"}' --batches 1,2,4,8]
"""
import argparse
import json
import os
import socket
import statistics
import sys
import time
import glob
import importlib.util
from types import SimpleNamespace

import torch
import torch.nn.functional as F
import torch.distributed as dist
import torch.multiprocessing as mp


def median_seconds(reps, call, sync):
    call()
    sync()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        call()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul(shapes, reps, device):
    sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)
    out = []
    for m, k, n in shapes:
        a = torch.randn(m, k, device=device)
        b = torch.randn(k, n, device=device)
        seconds = median_seconds(reps, lambda: torch.matmul(a, b), sync)
        out.append({'m': m, 'k': k, 'n': n, 'flopsPerSecond': 2.0 * m * k * n / seconds})
    return out


def load_gpt():
    """The reference script's model (train_gpt.py next to this file; deployed copies carry a content-hashed prefix)."""
    here = os.path.dirname(os.path.abspath(__file__))
    found = [os.path.join(here, 'train_gpt.py')] if os.path.isfile(os.path.join(here, 'train_gpt.py')) else sorted(glob.glob(os.path.join(here, '*train_gpt.py')))
    if not found:
        raise FileNotFoundError(f'train_gpt.py not found next to {__file__}')
    spec = importlib.util.spec_from_file_location('shardscope_train_gpt', found[-1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.GPT


class StepProbe:
    """One rank's training step of the reference model at micro-batch `batch` (forward + backward; the optimizer apart)."""

    def __init__(self, cfg, device):
        a = SimpleNamespace(vocab=cfg['vocab'], hidden=cfg['hidden'], heads=cfg['heads'], layers=cfg['layers'], seq_len=cfg['seqLen'])
        torch.manual_seed(0)
        self.a, self.device = a, device
        self.model = load_gpt()(a).to(device)
        self.opt = torch.optim.Adam(self.model.parameters(), 1e-3)
        self.sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)

    def forward_backward(self, batch):
        idx = torch.randint(0, self.a.vocab, (batch, self.a.seq_len), device=self.device)
        tgt = torch.randint(0, self.a.vocab, (batch, self.a.seq_len), device=self.device)

        def call():
            self.opt.zero_grad(set_to_none=True)
            F.cross_entropy(self.model(idx).reshape(-1, self.a.vocab), tgt.reshape(-1)).backward()
        return call

    def mean_seconds(self, reps, call):
        call()
        self.sync()
        start = time.perf_counter()
        for _ in range(reps):
            call()
        self.sync()
        return (time.perf_counter() - start) / reps


def step_times(cfg, batches, reps, device):
    probe = StepProbe(cfg, device)
    out, optimizer = [], []
    before = torch.get_num_threads()
    for threads in sorted({1, os.cpu_count() or 1}):
        torch.set_num_threads(threads)
        # one rank per host (all cores) runs the whole micro-batch: its two largest sizes give the line
        for batch in (batches if threads == 1 else batches[-2:]):
            out.append({'batch': batch, 'threads': threads, 'seconds': probe.mean_seconds(reps, probe.forward_backward(batch))})
        probe.forward_backward(1)()
        optimizer.append({'threads': threads, 'seconds': probe.mean_seconds(reps, probe.opt.step)})
    torch.set_num_threads(before)
    return out, optimizer


def contention(cfg, batch, reps, rank):
    """Each of the 2 ranks alone (the other at a barrier), then both at once, interleaved twice; the ranks' mean ratio."""
    probe = StepProbe(cfg, 'cpu')
    call = probe.forward_backward(batch)
    call()
    alone = together = 0.0
    for _ in range(2):
        for r in range(2):
            dist.barrier()
            if r == rank:
                alone += probe.mean_seconds(reps, call)
            dist.barrier()
        dist.barrier()
        together += probe.mean_seconds(reps, call)
    ratio = torch.tensor([together / alone])
    dist.all_reduce(ratio)
    return {'processes': 2, 'slowdown': ratio.item() / 2}


def gloo_rank(rank, port, sizes, reps, queue, step_cfg=None, step_batch=1):
    os.environ['MASTER_ADDR'] = '127.0.0.1'
    os.environ['MASTER_PORT'] = str(port)
    torch.set_num_threads(1)
    dist.init_process_group('gloo', rank=rank, world_size=2)
    timings = []
    for size in sizes:
        tensor = torch.ones(max(1, size // 4))
        dist.all_reduce(tensor)
        times = []
        for _ in range(reps):
            dist.barrier()
            start = time.perf_counter()
            dist.all_reduce(tensor)
            times.append(time.perf_counter() - start)
        timings.append({'bytes': tensor.numel() * 4, 'seconds': statistics.median(times)})
    dist.barrier()
    together = contention(step_cfg, step_batch, 2, rank) if step_cfg else None
    dist.destroy_process_group()
    if rank == 0:
        queue.put((timings, together))


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--gemm', required=True)
    parser.add_argument('--sizes-bytes', required=True)
    parser.add_argument('--reps', type=int, default=5)
    parser.add_argument('--step-model')
    parser.add_argument('--batches', default='1')
    args = parser.parse_args()
    step_cfg = json.loads(args.step_model) if args.step_model else None
    batches = [int(x) for x in args.batches.split(',') if x]
    shapes = [tuple(int(x) for x in s.split(',')) for s in args.gemm.split(';') if s]
    sizes = [int(x) for x in args.sizes_bytes.split(',') if x]
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    print(f'torch {torch.__version__}: matmul on {device} ({torch.get_num_threads()} threads)', file=sys.stderr, flush=True)
    result = matmul(shapes, args.reps, device)
    step = None
    if step_cfg:
        print(f'training step of the reference model at micro-batches {args.batches} on {device}', file=sys.stderr, flush=True)
        forward_backward, optimizer = step_times(step_cfg, batches, args.reps, device)
        step = {'forwardBackward': forward_backward, 'optimizer': optimizer}
    print('gloo all-reduce, 2 local ranks' + (', and 2 ranks training at once' if step_cfg else ''), file=sys.stderr, flush=True)
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    port = free_port()
    step_batch = batches[len(batches) // 2] if batches else 1
    procs = [ctx.Process(target=gloo_rank, args=(rank, port, sizes, args.reps, queue, step_cfg, step_batch)) for rank in range(2)]
    for p in procs:
        p.start()
    timings, together = queue.get(timeout=300)
    if step is not None and together is not None:
        step['contention'] = together
    for p in procs:
        p.join(timeout=60)
    if any(p.exitcode != 0 for p in procs):
        print('a gloo rank failed', file=sys.stderr)
        return 1
    print(json.dumps({'torch': torch.__version__, 'python': sys.version.split()[0], 'device': device, 'threads': torch.get_num_threads(), 'matmul': result, 'allReduce': timings, **({'step': step} if step else {})}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
