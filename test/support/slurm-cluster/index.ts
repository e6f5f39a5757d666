export { startSlurmCluster, slurmAccountingUnavailableReason, slurmUnavailableReason, type SlurmCluster, type SlurmClusterOptions } from './cluster.js';
export { startLoginSshd, type LoginSshd } from './login-sshd.js';
