import { initBackend } from '../src-worker/engine/backend/index.js';
initBackend().then((r) => console.log(JSON.stringify(r)));
