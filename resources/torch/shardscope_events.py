"""ShardScope events for PyTorch scripts: the same JSON lines on stdout as ShardScope's own worker.

Optional helper: a script launched by `shardscope run --engine torch` trains fine without it, but
with it its ranks' loss, tokens, step-time split, bytes by collective kind and memory show in the
Run view, the run history and reports. Only the standard library and torch are used.

    from shardscope_events import EventWriter, CommMeter, ddp_comm_hook, memory_bytes
    events = EventWriter()                    # rank / world size from RANK / WORLD_SIZE
    meter = CommMeter()
    ddp_model.register_comm_hook(meter, ddp_comm_hook)
    events.run_start(backend="gloo", device="cpu", params_on_rank=n, optimizer_state_on_rank=2 * n)
    ... per step: meter.reset(); train; events.step(step, loss, tokens, total_seconds, meter, *memory_bytes(device))
    events.run_end(steps)

Event fields (src-shared/engine-events.ts): run-start {rank, worldSize, backend, device,
paramsOnRank, optimizerStateOnRank, coords, pid}, step {step, loss, tokens, stepTimeSeconds
{compute, communication, bubble, total}, bytes {kind: {sent, received}}, frameworkMemoryBytes,
frameworkMemoryPeakBytes}, run-end {steps}, error {kind, message}; all with rank and timestampMs.
"""
import json
import os
import resource
import sys
import threading
import time

_write_lock = threading.Lock()
# Shared by every EventWriter of the process: lets the launcher (`python shardscope_events.py SCRIPT`) end a run the script did not end.
_state = {"ended": False, "steps": 0, "lifeline": False}


def _now_ms():
    return int(time.time() * 1000)


class EventWriter:
    """Writes one JSON event per line on stdout (flushed at once, never interleaved)."""

    def __init__(self, rank=None, world_size=None, stream=None):
        self.rank = int(os.environ.get("RANK", "0")) if rank is None else rank
        self.world_size = int(os.environ.get("WORLD_SIZE", "1")) if world_size is None else world_size
        self.stream = stream or sys.stdout

    def emit(self, event):
        event = dict(event, rank=self.rank, timestampMs=_now_ms())
        line = json.dumps(event, separators=(",", ":")) + "\n"
        with _write_lock:
            self.stream.write(line)
            self.stream.flush()

    def run_start(self, backend, device, params_on_rank, optimizer_state_on_rank, coords=None):
        self.emit({"type": "run-start", "worldSize": self.world_size, "backend": backend, "device": device,
                   "paramsOnRank": int(params_on_rank), "optimizerStateOnRank": int(optimizer_state_on_rank),
                   "coords": coords or {"dpIndex": self.rank, "tpIndex": 0, "ppIndex": 0}, "pid": os.getpid()})

    def step(self, step, loss, tokens, total_seconds, meter=None, memory=0, memory_peak=None, bubble_seconds=0.0):
        """One finished step; `loss` is the global-batch mean (None on ranks that do not report it)."""
        communication = meter.seconds if meter else 0.0
        _state["steps"] = max(_state["steps"], int(step) + 1)
        self.emit({
            "type": "step", "step": int(step), "loss": None if loss is None else float(loss), "tokens": int(tokens),
            "stepTimeSeconds": {"compute": max(0.0, total_seconds - communication - bubble_seconds),
                                "communication": communication, "bubble": bubble_seconds, "total": total_seconds},
            "bytes": meter.bytes_by_kind() if meter else {},
            "frameworkMemoryBytes": int(memory), "frameworkMemoryPeakBytes": int(memory if memory_peak is None else memory_peak),
        })

    def run_end(self, steps):
        _state["ended"] = True
        self.emit({"type": "run-end", "steps": int(steps)})

    def error(self, kind, message):
        self.emit({"type": "error", "kind": kind, "message": str(message).strip().splitlines()[-1] if str(message).strip() else kind})


class CommMeter:
    """Bytes and seconds of this rank's collectives during the current step, by kind."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.seconds = 0.0
        self._bytes = {}

    def add(self, kind, sent, received, seconds):
        counts = self._bytes.setdefault(kind, {"sent": 0, "received": 0})
        counts["sent"] += int(sent)
        counts["received"] += int(received)
        self.seconds += seconds

    def bytes_by_kind(self):
        return {kind: dict(counts) for kind, counts in self._bytes.items()}


def ring_all_reduce_bytes(payload_bytes, world_size):
    """Bytes one rank sends (and receives) in a ring all-reduce: 2 (n-1)/n of the payload."""
    return 0 if world_size < 2 else int(2 * (world_size - 1) * payload_bytes / world_size)


def timed_all_reduce(meter, tensor, group=None, kind="allReduce"):
    """A blocking all-reduce (sum) of `tensor`, counted in `meter`."""
    import torch.distributed as dist
    world = dist.get_world_size(group)
    started = time.perf_counter()
    dist.all_reduce(tensor, group=group)
    if tensor.is_cuda:
        import torch
        torch.cuda.synchronize(tensor.device)
    moved = ring_all_reduce_bytes(tensor.numel() * tensor.element_size(), world)
    meter.add(kind, moved, moved, time.perf_counter() - started)
    return tensor


def ddp_comm_hook(meter, bucket):
    """DDP comm hook: averages a gradient bucket like DDP's default hook, timing it and counting its bytes.

    The all-reduce is blocking, so its time is communication rather than hidden behind backward:
    the split is exact at the cost of DDP's overlap (which a CPU rank with one thread barely has).
    """
    import torch
    import torch.distributed as dist
    buffer = bucket.buffer()
    timed_all_reduce(meter, buffer)
    buffer.div_(dist.get_world_size())
    future = torch.futures.Future()
    future.set_result(buffer)
    return future


def memory_bytes(device):
    """(current, peak) framework memory: CUDA allocator figures on a GPU, else the process's RSS."""
    import torch
    if getattr(device, "type", str(device)).startswith("cuda"):
        return torch.cuda.memory_allocated(device), torch.cuda.max_memory_allocated(device)
    try:
        with open("/proc/self/statm") as f:
            current = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        current = 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return current, max(current, peak)


def start_stdin_lifeline():
    """Exits the process when stdin closes (the launching controller died), if ShardScope asked for it."""
    if os.environ.get("SHARDSCOPE_STDIN_LIFELINE") != "1" or _state["lifeline"]:
        return
    _state["lifeline"] = True

    def watch():
        # os.read on the raw descriptor: a buffered sys.stdin read would hold its lock at interpreter exit.
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        os._exit(3)

    threading.Thread(target=watch, name="shardscope-lifeline", daemon=True).start()


def run_script(path, args):
    """Runs a training script as __main__ (how ShardScope starts every torch rank): the lifeline is on,
    `import shardscope_events` in the script is this module, and a script that returns without
    `run_end` (e.g. a plain torchrun script) still ends its rank's run."""
    import runpy
    sys.modules["shardscope_events"] = sys.modules[__name__]
    start_stdin_lifeline()
    sys.argv = [path] + list(args)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    code = 0
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if not isinstance(done.code, (int, type(None))):
            print(done.code, file=sys.stderr)
    except BaseException:  # the script's own failure: its traceback, then a non-zero exit
        import traceback
        traceback.print_exc()
        code = 1
    if code == 0 and not _state["ended"]:
        EventWriter().run_end(_state["steps"])
    exit_now(code)


def exit_now(code=0):
    """Flushes and exits without interpreter teardown: torch 1.13's ProcessGroupGloo destructor can deadlock
    there (it joins a Gloo thread that waits for the GIL), leaving a rank that finished but never exits."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python shardscope_events.py SCRIPT [ARGS...]")
    run_script(sys.argv[1], sys.argv[2:])
