/** Picks a free TCP port for the run's rendezvous (MASTER port). */
import { createServer } from 'node:net';

/** Asks the kernel for a free port on `host` and releases it. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
