/** sacct lines as Slurm 22.05 (Debian, slurmdbd + MariaDB, no energy plugin) printed them for the test cluster's jobs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSacctJob } from '../../../src-main/core/slurm/slurm-accounting.js';

// `sacct -j 1,2,3 -X -n -P -o JobID,State,ElapsedRaw,ConsumedEnergyRaw,ExitCode`, captured from the test cluster
// (a 2-node `sleep 1`, a job that ran `exit 3`, a `sleep 100` cancelled with scancel).
const captured = '1|COMPLETED|2||0:0\n2|FAILED|1||3:0\n3|CANCELLED by 0|1||0:0\n';
const noEnergy = 'acct_gather_energy/none';

test('real sacct lines: elapsed and final state (without "by UID"), energy not configured', () => {
  assert.deepEqual(parseSacctJob(captured, '1', noEnergy), {
    jobId: '1', state: 'COMPLETED', elapsedSeconds: 2, exitCode: '0:0', source: 'sacct',
    energyJoules: null, energySource: 'not configured (AcctGatherEnergyType=acct_gather_energy/none)',
  });
  assert.equal(parseSacctJob(captured, '2', noEnergy)?.exitCode, '3:0');
  assert.equal(parseSacctJob(captured, '3', noEnergy)?.state, 'CANCELLED');
  assert.equal(parseSacctJob(captured, '4', noEnergy), null, 'a job sacct does not have yet');
  assert.equal(parseSacctJob('', '1', noEnergy), null);
});

test('energy counts only where a plugin is configured and read something (form from sacct(1))', () => {
  const withEnergy = parseSacctJob('41|COMPLETED|12|0|0:0\n42|CANCELLED by 0|73|1520|0:15\n', '42', 'acct_gather_energy/rapl');
  assert.equal(withEnergy?.energyJoules, 1520);
  assert.equal(withEnergy?.energySource, 'measured by Slurm (acct_gather_energy/rapl, sacct ConsumedEnergyRaw)');
  assert.equal(parseSacctJob('41|COMPLETED|12|0|0:0\n', '41', 'acct_gather_energy/rapl')?.energyJoules, null, 'a plugin that read nothing: 0 is not a measurement');
  assert.equal(parseSacctJob('41|COMPLETED|12|900|0:0\n', '41', noEnergy)?.energyJoules, null, 'no plugin, no energy');
  assert.match(parseSacctJob(captured, '1', null)!.energySource, /not configured \(AcctGatherEnergyType=unknown\)/);
});
