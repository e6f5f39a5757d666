/** The host key a host presents right now, checked against a known_hosts file, and the user's yes to it. */
import { ShardScopeError } from '../../../src-shared/errors.js';
import { connectSsh } from '../ssh/connect.js';
import { acceptHostKey, fingerprintSha256, trustFileOf, type KnownHostsFiles } from '../ssh/known-hosts.js';
import type { RemoteTarget } from '../ssh/target.js';

/** What a host presented: already trusted, unknown (with its key), or refused (changed/revoked). */
export type PresentedKey =
  | { status: 'known' }
  | { status: 'unknown'; fingerprint: string; keyType: string; keyBlob: Buffer }
  | { status: 'refused'; error: ShardScopeError };

/** Connects once to see the key; a login failure after a known key still counts as `known`. */
export async function presentedHostKey(target: RemoteTarget, options: { knownHostsFile: KnownHostsFiles; timeoutMs: number; signal?: AbortSignal }): Promise<PresentedKey> {
  try {
    const connection = await connectSsh(target, options);
    connection.close();
    return { status: 'known' };
  } catch (error) {
    if (!(error instanceof ShardScopeError)) throw error;
    const details = error.details as { fingerprint?: string; keyType?: string; keyBase64?: string; host?: string; port?: number } | undefined;
    // A jump host's unknown key is not this host's key: it must be accepted under the jump host's own entry.
    const isThisHost = details?.host === target.host && details?.port === target.port;
    if (error.kind === 'host-key-unknown' && details?.keyBase64 && isThisHost) {
      const keyBlob = Buffer.from(details.keyBase64, 'base64');
      return { status: 'unknown', fingerprint: fingerprintSha256(keyBlob), keyType: details.keyType ?? 'unknown', keyBlob };
    }
    if (error.kind === 'host-key-mismatch' || error.kind === 'host-key-unknown') return { status: 'refused', error };
    if (error.kind === 'ssh-auth') return { status: 'known' };
    throw error;
  }
}

/**
 * Writes the host's key into the first known_hosts file (ShardScope's own) only when the key it presents now has the fingerprint
 * the user saw and said yes to; anything else is refused with a kind and nothing is written.
 */
export async function acceptPresentedKey(target: RemoteTarget, fingerprint: string, options: { knownHostsFile: KnownHostsFiles; timeoutMs: number; signal?: AbortSignal }): Promise<{ wasKnown: boolean }> {
  const presented = await presentedHostKey(target, options);
  if (presented.status === 'known') return { wasKnown: true };
  if (presented.status === 'refused') throw presented.error;
  if (presented.fingerprint !== fingerprint) {
    throw new ShardScopeError('host-key-mismatch',
      `host ${target.id}: it now presents ${presented.keyType} ${presented.fingerprint}, not the ${fingerprint} you accepted — nothing was trusted; discover again and check the new fingerprint`);
  }
  acceptHostKey(trustFileOf(options.knownHostsFile), target.host, target.port, presented.keyBlob);
  return { wasKnown: false };
}
