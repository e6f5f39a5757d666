/** Inventory of hosts and their devices, as discovery reports it (units in names). */

/** The id of this machine everywhere: inventory, samples, run hosts and placements, the Hosts view. */
export const LOCAL_HOST_ID = 'local';

/** One NVIDIA GPU as read from `nvidia-smi -q -x`. */
export interface GpuInfo {
  index: number;
  name: string;
  uuid: string;
  pciBusId: string;
  memoryTotalBytes: number;
  memoryUsedBytes: number;
  powerLimitWatts: number | null;
  powerDrawWatts: number | null;
  pcieGeneration: number | null;
  pcieWidth: number | null;
  driverVersion: string;
  cudaVersion: string | null;
  migMode: 'enabled' | 'disabled' | 'unsupported';
  processes: GpuProcess[];
}

/** A process holding GPU memory. */
export interface GpuProcess {
  pid: number;
  name: string;
  usedMemoryBytes: number | null;
}

/** One cell kind of `nvidia-smi topo -m`: X (self), NV<n>, PIX, PXB, PHB, NODE, SYS, SOC. */
export interface TopologyLink {
  from: string;
  to: string;
  /** The raw connection code, e.g. `NV12`, `PIX`, `SYS`. */
  connection: string;
  /** NVLink count when the connection is NV<n>, else 0. */
  nvlinks: number;
}

/** The link matrix between GPUs (and NICs) on one host. */
export interface Topology {
  devices: string[];
  links: TopologyLink[];
  /** Per-GPU CPU and NUMA affinity where the output has them. */
  affinity: Record<string, { cpuAffinity?: string; numaAffinity?: string }>;
  /** NIC column names mapped to device names from the "NIC Legend" (e.g. `NIC0` -> `mlx5_2`). */
  nicNames?: Record<string, string>;
}

/** A compute device a rank can be placed on: a GPU, or the CPU when a host has none. */
export interface DeviceInfo {
  id: string;
  kind: 'gpu' | 'cpu';
  name: string;
  memoryTotalBytes: number;
  powerLimitWatts: number | null;
  /** Short link description (e.g. `PCIe 4 x16`, `NVLink x12`) for display. */
  links: string[];
}

/** A network interface of a host. */
export interface NicInfo {
  name: string;
  ip4: string | null;
  speedMbps: number | null;
  isVirtual: boolean;
}

/** One host as discovered: local or reached over SSH. */
export interface HostInventory {
  id: string;
  hostname: string;
  isLocal: boolean;
  status: 'ok' | 'error';
  error?: { kind: string; message: string };
  os: { platform: string; distro: string; release: string; arch: string };
  cpu: { model: string; physicalCores: number; logicalCores: number };
  memoryBytes: number;
  nics: NicInfo[];
  gpus: GpuInfo[];
  topology: Topology | null;
  devices: DeviceInfo[];
  /** Why no GPU was found, when none was (e.g. `nvidia-smi not found`). */
  gpuNote?: string;
  /** Why topology is null when GPUs were found (e.g. the driver's `topo -m` failed). */
  topologyNote?: string;
  /** `node --version` of a remote host (null when Node.js is missing there); absent for the local host. */
  nodeVersion?: string | null;
  /** What a remote host runs ranks with (see HostRuntimeInfo); absent for the local host and failed hosts. */
  runtime?: HostRuntimeInfo;
  discoveredAtMs: number;
  /** A Slurm compute node: its cluster's login host, partitions and state (absent for other hosts). */
  slurm?: { loginHost: string; partitions: string[]; state: string; reason: string | null; isAvailable: boolean };
}

/** A remote host's runtimes as discovered, so the launch choice is clear before launch. */
export interface HostRuntimeInfo {
  /** Node.js at the host's `node` setting or on PATH; `shipped` says what happens without a usable one. */
  node: { command: string; version: string | null; isUsable: boolean; shipped: 'not-needed' | 'will-ship' | 'cannot-ship'; note?: string };
  /** Python at the host's `python` setting or `python3`, and its torch with the CUDA it was built for (null: CPU build); null: no such Python. */
  python: { command: string; version: string; torchVersion: string | null; torchCudaVersion: string | null } | null;
  /** `uname -sm` and C library, e.g. `Linux x86_64, glibc 2.36`. */
  platform: string;
  /** The CUDA version the driver supports (nvidia-smi), null without GPUs. */
  cudaVersion: string | null;
}

/** The answer of discovery: every host asked. */
export interface Inventory {
  hosts: HostInventory[];
}
