/** SSH for ShardScope: connections with host-key checks, safe remote commands, ~/.ssh/config import. */
export { connectSsh, type ConnectOptions, type SshConnection } from './connect.js';
export { execRemote, type ExecOptions, type ExecResult } from './exec.js';
export { acceptHostKey, checkHostKey, fingerprintSha256, readKnownHosts, parseKnownHosts, knownHostName, type KnownHostEntry, type HostKeyVerdict } from './known-hosts.js';
export { buildRemoteCommand, shellQuote, quoteArg, type RemoteCommand } from './shell-quote.js';
export { loadSshConfigEntries, loadSshConfigHosts, parseSshConfigEntries, parseSshConfigHosts, type SshConfigHosts } from './ssh-config-import.js';
export { parseHostSpec, describeTarget, type RemoteTarget } from './target.js';
