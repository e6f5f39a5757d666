/** One line naming a host's calibration as a figure's source: #id, host, origin, age, and STALE when it is. */
import { calibrationAge, calibrationStaleAfterMs, type HostCalibration } from '../../../src-shared/calibration/calibration-record.js';

/** e.g. "calibration #3 of local (shardscope calibrate, measured 2 min ago)". */
export function calibrationLine(c: HostCalibration, nowMs: number): string {
  const stale = nowMs - c.measuredAtMs > calibrationStaleAfterMs ? ' (STALE: calibrate again)' : '';
  const origin = c.origin.kind === 'run' ? `refined from run ${c.origin.runId}` : 'shardscope calibrate';
  return `calibration #${c.id ?? '-'} of ${c.hostId} (${origin}, measured ${calibrationAge(c.measuredAtMs, nowMs)})${stale}`;
}
