/** `shardscope app [--web] [--port N] [--no-open]`: the desktop app, or web mode when Electron cannot start. */
import { join } from 'node:path';
import { startAppServices } from '../../core/api/app-services.js';
import { defaultStorePath } from '../../core/store/index.js';
import { startWebServer } from '../../server/web-server.js';
import { intFlag, parseFlags } from '../args.js';
import { launchDesktop } from '../electron-launcher.js';
import { printLine, type CliIo, type CliCommand } from '../io.js';
import { openBrowser } from '../open-browser.js';
import { distDir, packageVersion, resolveNvidiaSmi, workerBundlePath } from '../runtime-paths.js';

export const appCommand: CliCommand = async (args, io) => {
  const { values } = parseFlags(args, {
    web: { type: 'boolean', default: false },
    port: { type: 'string' },
    'no-open': { type: 'boolean', default: false },
    'nvidia-smi': { type: 'string' },
    'interval-ms': { type: 'string' },
  });
  const port = intFlag('port', values.port, 0, 0, 65535);
  const sampleIntervalMs = intFlag('interval-ms', values['interval-ms'], 1000, 100, 60_000);
  const nvidiaSmiPath = resolveNvidiaSmi(values['nvidia-smi'], io.env);

  if (!values.web) {
    const desktop = await launchDesktop(join(distDir(), 'app-main.cjs'), { ...io.env, SHARDSCOPE_NVIDIA_SMI: nvidiaSmiPath ?? '' });
    if (desktop.started) {
      printLine(io, 'ShardScope desktop app started');
      return waitForExit(desktop.child, io);
    }
    io.stderr.write(`Electron did not start (${desktop.reason}); starting web mode\n`);
  }
  return runWebMode(io, { port, sampleIntervalMs, nvidiaSmiPath, open: !values['no-open'] });
};

async function runWebMode(io: CliIo, opts: { port: number; sampleIntervalMs: number; nvidiaSmiPath?: string; open: boolean }): Promise<number> {
  const services = await startAppServices({
    mode: 'web', version: packageVersion(), sampleIntervalMs: opts.sampleIntervalMs, nvidiaSmiPath: opts.nvidiaSmiPath,
    storePath: defaultStorePath(io.env), workerPath: workerBundlePath(), plannerThreadPath: join(distDir(), 'planner-thread.cjs'),
  });
  const server = await startWebServer({ handlers: services.handlers, events: services.events, log: services.log, rendererDir: join(distDir(), 'renderer'), port: opts.port });
  printLine(io, `ShardScope web mode: ${server.url}`);
  const opened = opts.open ? openBrowser(server.url, io.env) : null;
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
