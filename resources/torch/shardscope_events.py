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
import re
import resource
import sys
import threading
import time

# Re-entrant: an EventWriter writing to the guarded sys.stdout (see _LineGuard) takes it twice.
_write_lock = threading.RLock()
# Shared by every EventWriter of the process: lets the launcher (`python shardscope_events.py SCRIPT`) end a run the script did not end.
_state = {"ended": False, "steps": 0, "lifeline": False, "heartbeat": False}


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

    def run_start(self, backend, device, params_on_rank, optimizer_state_on_rank, coords=None, clock=None):
        event = {"type": "run-start", "worldSize": self.world_size, "backend": backend, "device": device,
                 "paramsOnRank": int(params_on_rank), "optimizerStateOnRank": int(optimizer_state_on_rank),
                 "coords": coords or {"dpIndex": self.rank, "tpIndex": 0, "ppIndex": 0}, "pid": os.getpid()}
        if clock is not None:
            event["clock"] = clock
        self.emit(event)

    def step(self, step, loss, tokens, total_seconds, meter=None, memory=0, memory_peak=None, bubble_seconds=0.0, process_memory=None):
        """One finished step; `loss` is the global-batch mean (None on ranks that do not report it).
        `process_memory`: (resident, peak resident) of the rank's process, as process_memory_bytes() reads them: the
        measured side of a CPU rank's memory (a GPU rank's is its GPU memory, read by nvidia-smi)."""
        communication = meter.seconds if meter else 0.0
        _state["steps"] = max(_state["steps"], int(step) + 1)
        extra = {}
        if process_memory is not None:
            resident, peak = process_memory
            if resident:
                extra["processMemoryBytes"] = int(resident)
            if peak:
                extra["processMemoryPeakBytes"] = int(peak)
        self.emit({**extra, 
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
    import torch
    started = time.perf_counter()
    # Named like ShardScope's own collective spans (`<op> <group>`), so a profile shows it as communication.
    with torch.profiler.record_function(f"{kind} dp"):
        dist.all_reduce(tensor, group=group)
        if tensor.is_cuda:
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


def process_memory_bytes():
    """(VmRSS, VmHWM) of this process in bytes from /proc/self/status; (0, 0) where it is not readable."""
    found = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    found[key] = int(value.split()[0]) * 1024
    except (OSError, ValueError):
        return 0, 0
    return found.get("VmRSS", 0), found.get("VmHWM", 0)


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


class _LineGuard:
    """sys.stdout of a rank that sends heartbeats: every write holds the event lock and the guard knows
    whether the stream is at the start of a line, so a heartbeat never lands inside a line the script
    is printing (print() writes the text and the newline separately)."""

    def __init__(self, stream):
        self._stream = stream
        self.at_line_start = True
        self.partial_since = 0.0

    def write(self, text):
        with _write_lock:
            written = self._stream.write(text)
            if text:
                if not text.endswith("\n"):
                    if self.at_line_start:
                        self.partial_since = time.monotonic()
                    self.at_line_start = False
                else:
                    self.at_line_start = True
            return written

    def write_line(self, line):
        """Writes one whole line between the script's lines (ending a partial line left open too long)."""
        with _write_lock:
            self._stream.write(("" if self.at_line_start else "\n") + line + "\n")
            self._stream.flush()
            self.at_line_start = True

    def __getattr__(self, name):
        return getattr(self._stream, name)


def start_heartbeat():
    """Writes a heartbeat event every SHARDSCOPE_HEARTBEAT_INTERVAL_MS from a thread of the rank's own process,
    if ShardScope asked for it: a rank stopped (SIGSTOP) or hung holding the interpreter stops beating, and the
    controller ends the run naming it within seconds instead of waiting for the collective timeout."""
    try:
        interval_s = float(os.environ.get("SHARDSCOPE_HEARTBEAT_INTERVAL_MS", "")) / 1000.0
    except ValueError:
        return
    if interval_s <= 0 or _state["heartbeat"]:
        return
    _state["heartbeat"] = True
    guard = _LineGuard(sys.stdout)
    sys.stdout = guard
    rank = int(os.environ.get("RANK", "0"))

    def beat():
        while True:
            with _write_lock:
                # A line the script left open is not split at once; after a few beats it is (a heartbeat must go out).
                if guard.at_line_start or time.monotonic() - guard.partial_since > 2 * interval_s:
                    try:
                        guard.write_line(json.dumps({"type": "heartbeat", "rank": rank, "timestampMs": _now_ms()}, separators=(",", ":")))
                    except (OSError, ValueError):
                        return  # stdout is gone: the controller is too
            time.sleep(interval_s)

    threading.Thread(target=beat, name="shardscope-heartbeat", daemon=True).start()


def run_script(path, args):
    """Runs a training script as __main__ (how ShardScope starts every torch rank): the lifeline is on,
    `import shardscope_events` in the script is this module, and a script that returns without
    `run_end` (e.g. a plain torchrun script) still ends its rank's run."""
    import runpy
    sys.modules["shardscope_events"] = sys.modules[__name__]
    start_stdin_lifeline()
    start_heartbeat()
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


# --- torch.profiler for `--profile-steps` -------------------------------------------------------
# torch.profiler for `shardscope run --engine torch --profile-steps A-B`, as ShardScope events.
#
# SHARDSCOPE_PROFILE_STEPS=A-B (set by ShardScope) makes StepProfiler run torch.profiler with a schedule
# that records exactly steps A..B on this rank. When the window closes, its operators (aten::...,
# autograd nodes, the script's record_function ranges; collectives named `<op> <group>` or gloo/nccl
# calls) go out as one `spans` event per step on stdout, on rank 0's clock (align_clock: NTP-style ping
# exchange with rank 0 over torch.distributed at start), with the top operators by self time. So every
# host's profile reaches ShardScope over the channel its events already use, and lands in the run's trace.
#
#     profiler = StepProfiler(events)            # no-op without SHARDSCOPE_PROFILE_STEPS
#     clock = profiler.align_clock(dist)         # before run_start; {"offsetMs", "errorMs", "roundTrips"}
#     with profiler:
#         for step in ...: train(); profiler.step()

_COLLECTIVE = re.compile(r"^(allReduce|reduceScatter|allGather|broadcast|send|recv|barrier)\b|gloo|nccl|c10d::", re.IGNORECASE)
# Operators deeper than this under a step are summed into the top-operator table but not sent as spans.
MAX_SPAN_DEPTH = 3
MAX_SPANS_PER_STEP = 20000


def profile_window():
    """(first, last) step from SHARDSCOPE_PROFILE_STEPS, or None."""
    text = os.environ.get("SHARDSCOPE_PROFILE_STEPS", "")
    match = re.fullmatch(r"(\d+)(?:-(\d+))?", text.strip())
    if not match:
        return None
    first = int(match.group(1))
    return first, int(match.group(2) or first)


class StepProfiler:
    """Profiles the window's steps and emits them; every method is a no-op when no window is set."""

    def __init__(self, events, window=None):
        self.events = events
        self.window = window if window is not None else profile_window()
        self.offset_ms = 0.0
        self._profile = None

    def align_clock(self, dist=None, round_trips=8):
        """This rank's offset to rank 0 (added to every span); None when not profiling."""
        if self.window is None:
            return None
        if dist is None or not dist.is_initialized() or dist.get_world_size() == 1:
            return {"offsetMs": 0.0, "errorMs": 0.0, "roundTrips": 0}
        import torch
        rank, world = dist.get_rank(), dist.get_world_size()
        now = lambda: time.time() * 1000.0
        if rank == 0:
            for peer in range(1, world):
                for _ in range(round_trips):
                    ping = torch.zeros(1, dtype=torch.float64)
                    dist.recv(ping, src=peer)
                    t1 = now()
                    dist.send(torch.tensor([t1, now()], dtype=torch.float64), dst=peer)
            return {"offsetMs": 0.0, "errorMs": 0.0, "roundTrips": round_trips}
        best = (0.0, float("inf"))
        for _ in range(round_trips):
            t0 = now()
            dist.send(torch.tensor([t0], dtype=torch.float64), dst=0)
            reply = torch.zeros(2, dtype=torch.float64)
            dist.recv(reply, src=0)
            t3 = now()
            t1, t2 = float(reply[0]), float(reply[1])
            delay = (t3 - t0) - (t2 - t1)
            if delay < best[1]:
                best = (((t1 - t0) + (t2 - t3)) / 2, delay)
        self.offset_ms = best[0]
        return {"offsetMs": best[0], "errorMs": max(0.0, best[1]) / 2, "roundTrips": round_trips}

    def __enter__(self):
        if self.window is None:
            return self
        from torch.profiler import ProfilerActivity, profile, schedule
        import torch
        first, last = self.window
        activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if torch.cuda.is_available() else [])
        self._profile = profile(activities=activities, schedule=schedule(skip_first=first, wait=0, warmup=0, active=last - first + 1, repeat=1),
                                on_trace_ready=self._emit)
        self._profile.__enter__()
        return self

    def step(self):
        if self._profile is not None:
            self._profile.step()

    def __exit__(self, *exc):
        if self._profile is not None:
            self._profile.__exit__(*exc)
        return False

    def _emit(self, prof):
        start_us = prof.profiler.kineto_results.trace_start_us()
        to_ms = lambda us: (start_us + us) / 1000.0 + self.offset_ms
        events = list(prof.events())
        steps = sorted((e for e in events if e.name.startswith("ProfilerStep")), key=lambda e: e.time_range.start)
        threads = {}
        first = self.window[0]
        for index, marker in enumerate(steps):
            lo, hi = marker.time_range.start, marker.time_range.end
            inside = [e for e in events if e is not marker and not e.name.startswith("ProfilerStep") and lo <= e.time_range.start < hi]
            spans, totals = [], {}
            for e in inside:
                depth, parent = 0, e.cpu_parent
                while parent is not None and not parent.name.startswith("ProfilerStep"):
                    depth, parent = depth + 1, parent.cpu_parent
                total = totals.setdefault(e.name, [0, 0.0, 0.0])
                total[0] += 1
                total[1] += e.self_cpu_time_total / 1000.0
                total[2] += (e.time_range.end - e.time_range.start) / 1000.0
                if depth > MAX_SPAN_DEPTH or len(spans) >= MAX_SPANS_PER_STEP:
                    continue
                is_collective = bool(_COLLECTIVE.search(e.name))
                span = {"kind": "collective" if is_collective else "operator", "name": e.name, "startMs": round(to_ms(e.time_range.start), 3),
                        "durationMs": round((e.time_range.end - e.time_range.start) / 1000.0, 3), "stage": 0,
                        "thread": threads.setdefault(e.thread, len(threads))}
                if is_collective:
                    span["group"] = "dp"
                spans.append(span)
            top = sorted(totals.items(), key=lambda kv: -kv[1][1])[:15]
            self.events.emit({"type": "spans", "step": first + index, "stepStartMs": to_ms(lo), "stepEndMs": to_ms(hi), "spans": spans,
                              "operators": [{"name": n, "calls": c, "selfMs": round(s, 3), "totalMs": round(t, 3)} for n, (c, s, t) in top]})


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python shardscope_events.py SCRIPT [ARGS...]")
    run_script(sys.argv[1], sys.argv[2:])
