/** The test cluster's slurm.conf and gres.conf: one controller and N slurmd on this machine, distinct ports, GPUs as gres. */

/** One compute node of the test cluster. */
export interface SlurmNodeSpec {
  name: string;
  port: number;
  cpus: number;
  memoryMiB: number;
  /** Gres type, e.g. `rtx2080`, and the stand-in device files (one per GPU). */
  gpuType: string;
  gpuFiles: string[];
}

/** Everything slurm.conf needs to know. */
export interface SlurmConfSpec {
  dir: string;
  clusterName: string;
  controllerPort: number;
  mungeSocket: string;
  nodes: SlurmNodeSpec[];
  partition: string;
  /** slurmdbd's port when the cluster keeps accounting (sacct), else accounting storage is off. */
  accountingPort?: number;
  /** The first job id (jobs derive their rendezvous port from it: distinct per cluster, so clusters started side by side do not share ports). */
  firstJobId: number;
}

/**
 * slurm.conf: linuxproc process tracking and no task plugin (no cgroups needed), root as SlurmUser,
 * config_overrides so nodes may declare more CPUs than this machine has, short KillWait so a
 * cancelled step is killed within seconds, jobs kept in memory for scontrol long after they end, and
 * accounting storage through slurmdbd when the cluster has one (no energy plugin: none can read power here).
 */
export function slurmConf(spec: SlurmConfSpec): string {
  const d = spec.dir;
  return [
    `ClusterName=${spec.clusterName}`,
    'SlurmctldHost=localhost(127.0.0.1)',
    `SlurmctldPort=${spec.controllerPort}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    'CryptoType=crypto/munge',
    `AuthInfo=socket=${spec.mungeSocket}`,
    `StateSaveLocation=${d}/state`,
    `SlurmdSpoolDir=${d}/spool/%n`,
    `SlurmctldPidFile=${d}/slurmctld.pid`,
    `SlurmdPidFile=${d}/slurmd-%n.pid`,
    `SlurmctldLogFile=${d}/slurmctld.log`,
    `SlurmdLogFile=${d}/slurmd-%n.log`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/linux',
    ...(spec.accountingPort
      ? ['AccountingStorageType=accounting_storage/slurmdbd', 'AccountingStorageHost=127.0.0.1', `AccountingStoragePort=${spec.accountingPort}`,
        // For slurmdbd, AccountingStoragePass names the munge socket (clients such as sacct ignore AuthInfo there).
        `AccountingStoragePass=${spec.mungeSocket}`]
      : ['AccountingStorageType=accounting_storage/none']),
    'JobCompType=jobcomp/none',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'GresTypes=gpu',
    'SlurmdParameters=config_overrides',
    'ReturnToService=2',
    'KillWait=3',
    'MinJobAge=3600',
    `FirstJobId=${spec.firstJobId}`,
    'MpiDefault=none',
    'SwitchType=switch/none',
    'SlurmctldTimeout=30',
    'SlurmdTimeout=60',
    ...spec.nodes.map((n) => `NodeName=${n.name} NodeHostname=localhost NodeAddr=127.0.0.1 Port=${n.port} CPUs=${n.cpus} RealMemory=${n.memoryMiB} Gres=gpu:${n.gpuType}:${n.gpuFiles.length} State=UNKNOWN`),
    `PartitionName=${spec.partition} Nodes=${spec.nodes.map((n) => n.name).join(',')} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n');
}

/** gres.conf: no autodetection (no NVML here), each GPU a stand-in character device. */
export function gresConf(nodes: SlurmNodeSpec[]): string {
  return ['AutoDetect=off', ...nodes.flatMap((n) => n.gpuFiles.map((file) => `NodeName=${n.name} Name=gpu Type=${n.gpuType} File=${file}`)), ''].join('\n');
}
