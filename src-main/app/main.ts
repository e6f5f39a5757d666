/**
 * Electron main process: one hardened window over the built renderer, IPC handlers that check the
 * sender and validate arguments (through the same dispatcher the web server uses).
 */
import { app, BrowserWindow, ipcMain, session, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apiEventNames, ipcEventChannel } from '../../src-shared/api/contract.js';
import { startAppServices, type AppServices } from '../core/api/app-services.js';
import { isOwnPageUrl, registerIpcCalls, type IpcCallEvent } from '../core/api/ipc-calls.js';
import { workerRuntimeFor } from '../core/launch/worker-runtime.js';
import { defaultStorePath } from '../core/store/index.js';
import { CONTENT_SECURITY_POLICY } from '../server/static-files.js';
import { hardenWebContents, secureWebPreferences } from './window-hardening.js';

const rendererIndex = join(__dirname, 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;
const windows = new Set<WebContents>();
let forgetSender: (senderId: number) => void = () => {};

/** True when an IPC message comes from one of our windows showing our own page. */
function isTrustedSender(event: IpcCallEvent): boolean {
  return [...windows].some((contents) => contents.id === event.sender.id) && isOwnPageUrl(event.senderFrame?.url, rendererUrl);
}

function registerIpc(services: AppServices): void {
  // Same limits and planner thread as web mode (ipc-calls.ts): a flood from the renderer never blocks this process.
  ({ forgetSender } = registerIpcCalls(ipcMain, { handlers: services.handlers, log: services.log, isTrustedSender }));
  services.events.subscribe((event, payload) => {
    if (!apiEventNames.includes(event)) return;
    for (const contents of windows) if (!contents.isDestroyed()) contents.send(ipcEventChannel(event), payload);
  });
}

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'ShardScope',
    show: false,
    webPreferences: secureWebPreferences(join(__dirname, 'preload.cjs')),
  });
  hardenWebContents(window.webContents, rendererUrl);
  const contents = window.webContents;
  const senderId = contents.id; // read now: a destroyed WebContents throws on access
  windows.add(contents);
  window.on('closed', () => {
    windows.delete(contents);
    forgetSender(senderId);
  });
  window.once('ready-to-show', () => {
    window.show();
    process.stdout.write('shardscope-desktop-ready\n');
  });
  // `shardscope app --run RUN` opens that run's page (only a run route is taken from the environment).
  const route = process.env.SHARDSCOPE_OPEN_ROUTE ?? '';
  void window.loadFile(rendererIndex, /^\/runs\/[\w.%-]+$/.test(route) ? { hash: route } : undefined);
}

app.enableSandbox();
app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  const services = await startAppServices({
    mode: 'desktop',
    version: app.getVersion(),
    sampleIntervalMs: 1000,
    nvidiaSmiPath: process.env.SHARDSCOPE_NVIDIA_SMI || undefined,
    storePath: defaultStorePath(process.env),
    workerPath: join(__dirname, 'worker.cjs'),
    // A worker thread reads its file from disk: the unpacked copy (electron-builder.yml asarUnpack), not the archive.
    plannerThreadPath: join(__dirname, 'planner-thread.cjs').replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'),
    // Electron's own binary cannot run workers (runAsNode fuse off): the packaged Node.js runtime does.
    workerRuntime: workerRuntimeFor({ execPath: process.execPath, electronVersion: process.versions.electron, resourcesPath: process.resourcesPath, isPackaged: app.isPackaged, env: process.env }),
  });
  registerIpc(services);
  createWindow();
  app.on('window-all-closed', () => {
    void services.close().then(() => app.quit());
  });
}).catch((error: unknown) => {
  console.error(`ShardScope could not start: ${error instanceof Error ? error.message : String(error)}`);
  app.exit(1);
});
