export { startSlurmCluster, slurmUnavailableReason, type SlurmCluster, type SlurmClusterOptions } from './cluster.js';
