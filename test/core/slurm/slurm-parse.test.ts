/** Parsers of Slurm output, on lines captured from Slurm 22.05 (Debian) and forms from Slurm's documentation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTimeLimit, parseGpuGres, parseNode, parseScontrolRecord, parseSlurmDuration } from '../../../src-main/core/slurm/slurm-parse.js';

const drainedNode = 'NodeName=node2 Arch=x86_64 CoresPerSocket=1  CPUAlloc=2 CPUEfctv=4 CPUTot=4 CPULoad=3.55 AvailableFeatures=(null) ActiveFeatures=(null) Gres=gpu:rtx2080:2 NodeAddr=127.0.0.1 NodeHostName=localhost Port=32847 Version=22.05.8 OS=Linux 6.18.44-fc-v1098 #1 SMP PREEMPT_DYNAMIC @0  RealMemory=4000 AllocMem=0 FreeMem=21550 Sockets=4 Boards=1 State=MIXED+DRAIN ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A Partitions=gpu,debug  BootTime=2026-12-03T03:26:16 SlurmdStartTime=2026-12-03T06:05:19 LastBusyTime=2026-12-03T06:05:19 CfgTRES=cpu=4,mem=4000M,billing=4 AllocTRES= CapWatts=n/a CurrentWatts=0 AveWatts=0 ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s Reason=maint check x=1 [root@2026-12-03T06:05:21]';
const pendingJob = 'JobId=4 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=1 Nice=0 Account=(null) QOS=(null) JobState=PENDING Reason=PartitionNodeLimit Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 TimeLimit=UNLIMITED NodeList=(null) NumNodes=3-3';

test('a node record: values with spaces, the drain flag and its reason, gres GPUs, partitions', () => {
  const node = parseNode(parseScontrolRecord(drainedNode));
  assert.equal(node.name, 'node2');
  assert.equal(node.state, 'mixed+drain');
  assert.equal(node.isAvailable, false, 'a draining node takes no new jobs');
  assert.equal(node.reason, 'maint check x=1');
  assert.deepEqual(node.partitions, ['gpu', 'debug']);
  assert.deepEqual([node.cpus, node.cpusAllocated, node.memoryBytes], [4, 2, 4000 * 1024 * 1024]);
  assert.deepEqual(node.gpus, [{ type: 'rtx2080', count: 2 }]);
  assert.equal(node.os, 'Linux 6.18.44-fc-v1098 #1 SMP PREEMPT_DYNAMIC @0');
  assert.equal(parseNode({ NodeName: 'n', State: 'IDLE' }).isAvailable, true);
  assert.equal(parseNode({ NodeName: 'n', State: 'IDLE*' }).isAvailable, false, 'a node that does not respond');
  assert.equal(parseNode({ NodeName: 'n', State: 'DOWN' }).isAvailable, false);
});

test('a job record: the reason is one word and the fields after it are kept', () => {
  const job = parseScontrolRecord(pendingJob);
  assert.deepEqual([job.JobState, job.Reason, job.NodeList, job.ExitCode], ['PENDING', 'PartitionNodeLimit', '(null)', '0:0']);
});

test('gres strings: typed, untyped, with socket bindings, several kinds', () => {
  assert.deepEqual(parseGpuGres('gpu:a100:4(S:0-1),gpu:v100:2,shard:8'), [{ type: 'a100', count: 4 }, { type: 'v100', count: 2 }]);
  assert.deepEqual(parseGpuGres('gpu:2'), [{ type: null, count: 2 }]);
  assert.deepEqual(parseGpuGres('(null)'), []);
  assert.deepEqual(parseGpuGres('gpu:tesla:2(IDX:0-1)'), [{ type: 'tesla', count: 2 }]);
});

test('durations and time limits', () => {
  assert.equal(parseSlurmDuration('00:01:05'), 65);
  assert.equal(parseSlurmDuration('1-02:00:00'), 93600);
  assert.equal(parseSlurmDuration('05:30'), 330);
  assert.equal(parseSlurmDuration('UNLIMITED'), null);
  assert.equal(checkTimeLimit('1-00:00:00'), '1-00:00:00');
  assert.throws(() => checkTimeLimit('ten minutes'), { kind: 'bad-input' });
});
