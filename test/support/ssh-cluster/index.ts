/** The SSH test cluster: real sshd per network namespace; see cluster.ts. */
export { startSshCluster, clusterTarget, defaultHostSpecs, type SshCluster, type ClusterHost, type ClusterHostSpec } from './cluster.js';
export { keygenFingerprint, publicKeyLine, generateKey } from './keys.js';
export { fixturesDir, type SmiBehaviour } from './fake-smi.js';
