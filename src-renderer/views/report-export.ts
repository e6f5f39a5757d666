/** The Export control of the Run and History views: pick a format, get the report file as a download. */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
import type { ReportExportRequest } from '../../src-shared/run-live.js';
import { el } from '../format.js';

const formats: ReportExportRequest['format'][] = ['html', 'pdf', 'json', 'csv', 'trace'];

/** Saves base64 bytes as a file through the browser's (or Electron's) download. */
function saveFile(fileName: string, mimeType: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: mimeType }));
  const link = el('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A format picker and an Export button for the runs `runIds()` returns at click time (none: it says so). */
export function reportExportControl(api: ShardScopeApi, runIds: () => string[]): HTMLElement {
  const box = el('span', 'export');
  const format = el('select');
  format.name = 'report-format';
  for (const f of formats) format.append(new Option(f.toUpperCase(), f));
  const button = el('button', 'secondary', 'Export report');
  button.type = 'button';
  const status = el('span', 'note');
  status.dataset.role = 'export-status';
  button.addEventListener('click', async () => {
    const ids = runIds();
    if (ids.length === 0) {
      status.textContent = 'select at least one run to export (tick it in the list)';
      status.dataset.state = 'error';
      return;
    }
    button.disabled = true;
    status.textContent = 'exporting…';
    status.dataset.state = 'busy';
    try {
      const file = await api.exportReport({ runIds: ids, format: format.value as ReportExportRequest['format'] });
      saveFile(file.fileName, file.mimeType, file.base64);
      status.textContent = `saved ${file.fileName}`;
      status.dataset.state = 'ok';
    } catch (error) {
      status.textContent = `export failed: ${(error as Error).message}`;
      status.dataset.state = 'error';
    } finally {
      button.disabled = false;
    }
  });
  box.append(format, button, status);
  return box;
}
