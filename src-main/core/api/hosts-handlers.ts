/** Main-side handlers of the Hosts calls: the hosts service behind the contract's validated arguments. */
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { HostsService } from '../hosts/hosts-service.js';
import { probeHostLinks } from '../hosts/run-hosts.js';
import type { WorkerRuntime } from '../launch/worker-runtime.js';

/** The Hosts part of the handler table. `workerPath` is the worker bundle the link probe runs, `workerRuntime` the Node.js that runs it here. */
export function hostsHandlers(hosts: HostsService, options: { workerPath: string; workerRuntime?: WorkerRuntime }): Pick<ApiHandlers,
  'listHosts' | 'addHost' | 'importSshConfig' | 'removeHost' | 'discoverHosts' | 'acceptHostKey' | 'probeLinks' | 'setHostRuntime'> {
  return {
    listHosts: async () => hosts.state(),
    addHost: async (args) => hosts.add(args),
    importSshConfig: async (args) => hosts.importSshConfig(args),
    removeHost: async ({ hostId }) => hosts.remove(hostId),
    discoverHosts: (args) => hosts.discover(args),
    acceptHostKey: (args) => hosts.acceptHostKey(args),
    setHostRuntime: async (args) => hosts.setRuntime(args),
    probeLinks: async ({ hostIds, seconds }) => {
      await probeHostLinks(hosts, hostIds, { workerPath: options.workerPath, workerRuntime: options.workerRuntime, seconds });
      return hosts.state();
    },
  };
}
