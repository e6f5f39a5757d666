"""PyTorch calibration of one host for `shardscope calibrate`: float32 matrix-product throughput at
the model's GEMM shapes (CUDA when PyTorch sees a GPU, else CPU) and Gloo all-reduce time against
message size between two local ranks. Prints one JSON line:
{"torch", "python", "device", "threads", "matmul": [{m, k, n, flopsPerSecond}], "allReduce": [{bytes, seconds}]}.

usage: calibrate_torch.py --gemm M,K,N[;M,K,N...] --sizes-bytes 4,65536,... [--reps N]
"""
import argparse
import json
import os
import socket
import statistics
import sys
import time

import torch
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


def gloo_rank(rank, port, sizes, reps, queue):
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
    dist.destroy_process_group()
    if rank == 0:
        queue.put(timings)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--gemm', required=True)
    parser.add_argument('--sizes-bytes', required=True)
    parser.add_argument('--reps', type=int, default=5)
    args = parser.parse_args()
    shapes = [tuple(int(x) for x in s.split(',')) for s in args.gemm.split(';') if s]
    sizes = [int(x) for x in args.sizes_bytes.split(',') if x]
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    print(f'torch {torch.__version__}: matmul on {device} ({torch.get_num_threads()} threads)', file=sys.stderr, flush=True)
    result = matmul(shapes, args.reps, device)
    print('gloo all-reduce, 2 local ranks', file=sys.stderr, flush=True)
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    port = free_port()
    procs = [ctx.Process(target=gloo_rank, args=(rank, port, sizes, args.reps, queue)) for rank in range(2)]
    for p in procs:
        p.start()
    timings = queue.get(timeout=300)
    for p in procs:
        p.join(timeout=60)
    if any(p.exitcode != 0 for p in procs):
        print('a gloo rank failed', file=sys.stderr)
        return 1
    print(json.dumps({'torch': torch.__version__, 'python': sys.version.split()[0], 'device': device, 'threads': torch.get_num_threads(), 'matmul': result, 'allReduce': timings}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
