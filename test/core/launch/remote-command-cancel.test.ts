/** Short remote commands of a launch (addresses, free port) share one limit and stop when the launch is cancelled. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sshConnectionAddresses } from '../../../src-main/core/launch/remote-launch.js';
import { connectSsh, type SshConnection } from '../../../src-main/core/ssh/index.js';
import { clusterTarget, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';

let cluster: SshCluster;
let connection: SshConnection;
before(async () => {
  cluster = await startSshCluster();
  connection = await connectSsh(clusterTarget(cluster, 'gpu-4090'), { knownHostsFile: cluster.knownHostsFile });
});
after(async () => {
  connection?.close();
  await cluster?.stop();
});

test('$SSH_CONNECTION is read over the open connection, and a cancelled launch cancels the read', async () => {
  const seen = await sshConnectionAddresses(connection);
  assert.match(seen.clientAddr, /^[\d.:a-f]+$/);
  assert.match(seen.serverAddr, /^[\d.:a-f]+$/);
  const cancel = new AbortController();
  const pending = sshConnectionAddresses(connection, cancel.signal);
  cancel.abort();
  await assert.rejects(pending, (error: { kind?: string }) => error.kind === 'cancelled');
});
