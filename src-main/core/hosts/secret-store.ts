/**
 * Where SSH passwords and key passphrases may be kept between calls. The hosts service takes one as a
 * parameter; with none (web mode) a secret is used for the call it came with and then dropped.
 *
 * Electron seam: the desktop app should pass a store backed by `safeStorage` (encryptString /
 * decryptString, the ciphertext in $SHARDSCOPE_HOME/secrets.bin, only when
 * `safeStorage.isEncryptionAvailable()`), with `kind: 'safe-storage'`. It is not written here because
 * no Electron binary is available to test it; MemorySecretStore is the real, tested implementation
 * of the same interface and never touches the disk.
 */

/** A password and/or a key passphrase for one host. */
export interface HostSecrets {
  password?: string;
  passphrase?: string;
}

/** Keeps secrets per host id. */
export interface SecretStore {
  readonly kind: 'memory' | 'safe-storage';
  get(hostId: string): HostSecrets | undefined;
  set(hostId: string, secrets: HostSecrets): void;
  delete(hostId: string): void;
}

/** Secrets in this process's memory only: gone when the app quits, never written to a file. */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  private readonly secrets = new Map<string, HostSecrets>();

  /** The secrets kept for a host, if any. */
  get(hostId: string): HostSecrets | undefined {
    const found = this.secrets.get(hostId);
    return found ? { ...found } : undefined;
  }

  /** Keeps (merging with what was there) a host's secrets. */
  set(hostId: string, secrets: HostSecrets): void {
    this.secrets.set(hostId, { ...this.secrets.get(hostId), ...secrets });
  }

  /** Forgets a host's secrets. */
  delete(hostId: string): void {
    this.secrets.delete(hostId);
  }
}
