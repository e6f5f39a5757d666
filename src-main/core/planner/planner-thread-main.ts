/** Entry of the planner worker thread (dist/planner-thread.cjs): runs strategy searches off the server's event loop. */
import { parentPort } from 'node:worker_threads';
import { toErrorPayload } from '../../../src-shared/errors.js';
import { searchStrategies, type SearchRequest } from '../../../src-shared/planner/index.js';

parentPort?.on('message', (message: { id: number; request: SearchRequest }) => {
  try {
    parentPort?.postMessage({ id: message.id, ok: true, result: searchStrategies(message.request) });
  } catch (error) {
    parentPort?.postMessage({ id: message.id, ok: false, error: toErrorPayload(error) });
  }
});
