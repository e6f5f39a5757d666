/**
 * The rank launcher of the torch engine, in Python (`launch-<hash>.py` in the host's cache), so a
 * host needs only Python and torch, never Node.js. It behaves like the Node launcher
 * (remote-wrapper.ts) for `--exec PROGRAM ARGS...`: ONE line of JSON environment (the run secret)
 * from stdin, never argv; the program in its own process group (stdin kept open as its lifeline);
 * control lines on stdin (`hb`, `TERM`, `KILL`); a `\x1ehb` heartbeat line on stderr every second
 * and `\x1epid N` once; the group killed when stdin ends or the controller's heartbeats stop for
 * SHARDSCOPE_HEARTBEAT_TIMEOUT_MS; exits like the program (same code, or the same signal).
 */

/** Base name of the launcher (deployed content-hashed, see deploy.ts deployContent). */
export const pythonLauncherName = 'launch.py';

/** Source of the launcher (Python 3.6+, standard library only). */
export const pythonLauncherSource = String.raw`# ShardScope rank launcher (Python): see src-main/core/launch/python-launcher.ts.
import json, os, signal, subprocess, sys, threading, time

timeout_s = float(os.environ.get('SHARDSCOPE_HEARTBEAT_TIMEOUT_MS') or 6000) / 1000.0
argv = sys.argv[1:]
if not argv or argv[0] != '--exec' or len(argv) < 2:
    sys.stderr.write('shardscope launcher: usage: launch.py --exec PROGRAM ARGS...\n')
    sys.exit(2)
program_argv = argv[1:]
lock = threading.Lock()
state = {'beat': time.monotonic(), 'stopping': False, 'child': None}

def say(text):
    with lock:
        os.write(2, text.encode('utf-8', 'replace'))

def signal_group(sig):
    child = state['child']
    if child is not None:
        try:
            os.killpg(child.pid, sig)
        except OSError:
            pass

def stop(why):
    if state['stopping']:
        return
    state['stopping'] = True
    if state['child'] is None:
        os._exit(1)
    say('shardscope launcher: ' + why + '; stopping rank\n')
    signal_group(signal.SIGTERM)
    timer = threading.Timer(2.0, signal_group, (signal.SIGKILL,))
    timer.daemon = True
    timer.start()

def on_signal(sig, _frame):
    stop(signal.Signals(sig).name)

signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGHUP, on_signal)

pending = [b'']

def read_line():
    # Raw reads on fd 0: a buffered sys.stdin held by a daemon thread aborts the interpreter at exit.
    while b'\n' not in pending[0]:
        chunk = os.read(0, 4096)
        if not chunk:
            return None
        pending[0] += chunk
    line, pending[0] = pending[0].split(b'\n', 1)
    return line

first = read_line()
if first is None:
    os._exit(1)
try:
    extra = json.loads(first.decode('utf-8'))
    if not isinstance(extra, dict):
        raise ValueError('not an object')
except ValueError:
    say('shardscope launcher: bad environment line\n')
    os._exit(2)
env = dict(os.environ)
env.update({str(k): str(v) for k, v in extra.items()})
try:
    child = subprocess.Popen(program_argv, env=env, stdin=subprocess.PIPE, start_new_session=True)
except OSError as error:
    say('shardscope launcher: ' + program_argv[0] + ': ' + (error.strerror or str(error)) + ' (not found)\n' if isinstance(error, FileNotFoundError) else 'shardscope launcher: ' + str(error) + '\n')
    os._exit(127)
state['child'] = child
state['beat'] = time.monotonic()
say('\x1epid ' + str(child.pid) + '\n')

def read_control():
    while True:
        line = read_line()
        if line is None:
            stop('controller channel closed')
            return
        state['beat'] = time.monotonic()
        word = line.strip()
        if word == b'TERM':
            state['stopping'] = True
            signal_group(signal.SIGTERM)
        elif word == b'KILL':
            state['stopping'] = True
            signal_group(signal.SIGKILL)

threading.Thread(target=read_control, daemon=True).start()
while True:
    try:
        code = child.wait(timeout=1.0)
        break
    except subprocess.TimeoutExpired:
        pass
    say('\x1ehb\n')
    if time.monotonic() - state['beat'] > timeout_s:
        stop('no heartbeat from the controller for ' + str(int(timeout_s * 1000)) + ' ms')
signal_group(signal.SIGKILL)  # anything the program started
if code < 0:
    try:
        signal.signal(-code, signal.SIG_DFL)
    except (OSError, ValueError):
        pass  # SIGKILL and SIGSTOP keep their default anyway
    os.kill(os.getpid(), -code)
    time.sleep(1)
os._exit(code if code >= 0 else 1)
`;
