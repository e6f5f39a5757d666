/** What the Hosts view says after a discovery or an import: plain, and never "all done" while a host key waits. */
import type { HostsState, ImportSshConfigResult } from '../../src-shared/api/hosts-contract.js';
import { formatCount } from '../format.js';

/** A line for the view's message bar and how it reads (`waiting`: the user has to act). */
export interface HostsMessage {
  text: string;
  state: 'ok' | 'waiting' | 'error';
}

/** After Discover of `hostIds` (all hosts when absent): keys waiting for the user first, then failures, else done. */
export function discoveryMessage(state: HostsState, hostIds: string[] | undefined, rejectedKeys: ReadonlySet<string>): HostsMessage {
  const targets = hostIds ?? state.hosts.map((h) => h.id);
  const statuses = state.statuses.filter((s) => targets.includes(s.hostId));
  // Any host's pending key counts, not only those just discovered: nothing is "done" while one waits.
  const awaiting = state.statuses.filter((s) => s.hostKey && !rejectedKeys.has(s.hostId)).map((s) => s.hostId);
  const failed = statuses.filter((s) => s.state === 'error' && !awaiting.includes(s.hostId));
  const ok = statuses.filter((s) => s.state === 'ok').length;
  const tally = `discovered ${ok} of ${formatCount(targets.length, 'host')}`;
  if (awaiting.length > 0) {
    return { text: `${tally}; the host key of ${awaiting.join(', ')} awaits your Accept or Reject`, state: 'waiting' };
  }
  if (failed.length > 0) {
    return { text: `${tally}; failed: ${failed.map((s) => `${s.hostId} (${s.inventory.error?.kind ?? 'error'})`).join(', ')}`, state: 'error' };
  }
  if (targets.length === 0) return { text: 'no saved hosts to discover: add one or import your ssh config', state: 'ok' };
  return { text: hostIds ? `discovered ${hostIds.join(', ')}` : `discovered all ${formatCount(targets.length, 'host')}`, state: 'ok' };
}

/** After Import: which hosts came in, which were skipped because they are already listed, and how many the file gets wrong (listed apart, see invalidHostLines). */
export function importMessage(result: ImportSshConfigResult, path: string): HostsMessage {
  const skipped = result.skipped.map((s) => (s.id === s.existingId ? s.id : `${s.id} (listed as ${s.existingId})`));
  const skippedText = skipped.length > 0 ? `skipped ${formatCount(skipped.length, 'host')} already listed: ${skipped.join(', ')}` : '';
  const invalidText = result.invalid.length > 0 ? `; left out ${formatCount(result.invalid.length, 'host')} the file gets wrong (reasons below)` : '';
  const state = result.invalid.length > 0 ? 'error' : 'ok';
  if (result.imported.length === 0) {
    const why = skippedText ? `: ${skippedText}` : result.invalid.length > 0 ? '' : ' (no concrete Host entries)';
    return { text: `nothing new in ${path}${why}${invalidText}`, state };
  }
  const importedText = `imported ${formatCount(result.imported.length, 'host')} from ${path} (${result.imported.join(', ')})`;
  return { text: `${skippedText ? `${importedText}; ${skippedText}` : importedText}${invalidText}`, state };
}

/** One line per Host the import left out: `Host <alias>: <reason>`. */
export function invalidHostLines(result: ImportSshConfigResult): { alias: string; text: string }[] {
  return result.invalid.map(({ alias, reason }) => ({ alias, text: `Host ${alias}: ${reason.split('\n')[0]}` }));
}
