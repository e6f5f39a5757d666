/** `shardscope app [--web] [--port N] [--no-open] [--run RUN]`: the desktop app, or web mode when Electron cannot start. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { resolveRunIds } from '../../core/report/build-report.js';
import { RunStore } from '../../core/store/run-store.js';
import { startAppServices } from '../../core/api/app-services.js';
import { defaultStorePath } from '../../core/store/index.js';
import { startWebServer } from '../../server/web-server.js';
import { intFlag, parseFlags } from '../args.js';
import { launchDesktop } from '../electron-launcher.js';
import { printLine, type CliIo, type CliCommand } from '../io.js';
import { openBrowser } from '../open-browser.js';
import { distDir, packageVersion, resolveNvidiaSmi } from '../runtime-paths.js';

export const appCommand: CliCommand = async (args, io) => {
  const { values } = parseFlags(args, {
    web: { type: 'boolean', default: false },
    port: { type: 'string' },
    'no-open': { type: 'boolean', default: false },
    'nvidia-smi': { type: 'string' },
    'interval-ms': { type: 'string' },
    run: { type: 'string' },
  });
  const port = intFlag('port', values.port, 0, 0, 65535);
  const sampleIntervalMs = intFlag('interval-ms', values['interval-ms'], 1000, 100, 60_000);
  const nvidiaSmiPath = resolveNvidiaSmi(values['nvidia-smi'], io.env);
  // `--run RUN` opens that run's page: the route rides in the URL's fragment (web) or the window's (desktop).
  const route = values.run === undefined ? '' : `/runs/${encodeURIComponent(storedRunId(values.run, io.env))}`;

  if (!values.web) {
    const desktop = await launchDesktop(join(distDir(), 'app-main.cjs'), { ...io.env, SHARDSCOPE_NVIDIA_SMI: nvidiaSmiPath ?? '', SHARDSCOPE_OPEN_ROUTE: route });
    if (desktop.started) {
      printLine(io, 'ShardScope desktop app started');
      return waitForExit(desktop.child, io);
    }
    io.stderr.write(`Electron did not start (${desktop.reason}); starting web mode\n`);
  }
  return runWebMode(io, { port, sampleIntervalMs, nvidiaSmiPath, open: !values['no-open'], route });
};

/** The id of a stored run (`latest` allowed); `bad-input` when the store has no such run. */
function storedRunId(spec: string, env: NodeJS.ProcessEnv): string {
  const path = defaultStorePath(env);
  if (!existsSync(path)) throw new ShardScopeError('bad-input', `--run ${spec}: no store at ${path} (no runs recorded yet)`);
  const store = RunStore.open(path, { readonly: true });
  try {
    const ids = resolveRunIds(store, spec);
    if (ids.length !== 1) throw new ShardScopeError('bad-input', `--run takes one run, got ${ids.length}`);
    return ids[0];
  } finally {
    store.close();
  }
}

async function runWebMode(io: CliIo, opts: { port: number; sampleIntervalMs: number; nvidiaSmiPath?: string; open: boolean; route: string }): Promise<number> {
  const services = await startAppServices({
    mode: 'web', version: packageVersion(), sampleIntervalMs: opts.sampleIntervalMs, nvidiaSmiPath: opts.nvidiaSmiPath,
    storePath: defaultStorePath(io.env), workerPath: join(distDir(), 'worker.cjs'), plannerThreadPath: join(distDir(), 'planner-thread.cjs'),
  });
  const server = await startWebServer({ handlers: services.handlers, events: services.events, log: services.log, rendererDir: join(distDir(), 'renderer'), port: opts.port });
  // The page keeps a route given after the token (`?token=T#/runs/ID`, docs/web-mode-session.md).
  const url = opts.route ? `${server.url}#${opts.route}` : server.url;
  printLine(io, `ShardScope web mode: ${url}`);
  const opened = opts.open ? openBrowser(url, io.env) : null;
  printLine(io, opened ? `opened in ${opened}` : 'open the URL above in a browser (Ctrl-C stops)');
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  await services.close();
  printLine(io, 'ShardScope stopped');
  return 0;
}

function waitForExit(child: import('node:child_process').ChildProcess, io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    io.signal.addEventListener('abort', () => child.kill(), { once: true });
    child.once('exit', (code) => resolve(code ?? 0));
  });
}
