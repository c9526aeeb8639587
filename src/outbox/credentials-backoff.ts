import type Keyv from 'keyv';

/**
 * A channel whose login the platform refused. Kept in the store, keyed by channel, so that neither a
 * restart, a second `threadcast once` nor another instance spends another login on the same refused
 * credentials (Bluesky allows about 30 createSession calls per 5 minutes, X locks accounts that keep trying).
 */
export interface CredentialsRefusal {
  /** The first refusal of these credentials. */
  since: string;
  /** The latest refusal. */
  lastAt: string;
  /** The channel is not tried again before this time, unless its credentials change first. */
  until: string;
  /** The platform's answer, in words for an operator. Error messages never carry a credential. */
  detail: string;
  /**
   * Fingerprint of the refused credentials (credentialsFingerprint in src/platforms/create-publisher.ts):
   * a truncated hash that tells "changed since" apart, never the values themselves.
   */
  fingerprint?: string;
}

const key = (channelId: string) => `channel:credentials-refused:${channelId}`;

/** One channel's refused-credentials back-off, for the credentials it is run with now. */
export class CredentialsBackoff {
  constructor(
    private readonly kv: Keyv,
    private readonly channelId: string,
    /** Fingerprint of the credentials in use now; absent when the caller cannot tell (then only time lifts the back-off). */
    private readonly fingerprint: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The last refusal of the credentials in use now, however long ago; undefined when they changed since or none was refused. */
  async refusal(): Promise<CredentialsRefusal | undefined> {
    return this.concerning(await this.stored());
  }

  /** Whatever refusal is stored for the channel, whether or not it concerns the credentials in use now. */
  async stored(): Promise<CredentialsRefusal | undefined> {
    return (await this.kv.get(key(this.channelId))) as CredentialsRefusal | undefined;
  }

  /** `stored` when it concerns the credentials in use now. */
  concerning(stored: CredentialsRefusal | undefined): CredentialsRefusal | undefined {
    if (!stored) return undefined;
    if (this.fingerprint !== undefined && stored.fingerprint !== undefined && stored.fingerprint !== this.fingerprint) return undefined;
    return stored;
  }

  /** The platform refused the credentials again (or for the first time): back off until `until`. */
  async refused(detail: string, until: number): Promise<CredentialsRefusal> {
    const previous = await this.refusal();
    const at = new Date(this.now()).toISOString();
    const refusal: CredentialsRefusal = {
      since: previous?.since ?? at,
      lastAt: at,
      until: new Date(until).toISOString(),
      detail,
      ...(this.fingerprint !== undefined ? { fingerprint: this.fingerprint } : {}),
    };
    await this.kv.set(key(this.channelId), refusal);
    return refusal;
  }

  /** The platform accepted the channel's credentials: forget any refusal, of these or of earlier ones. */
  async accepted(): Promise<void> {
    await this.kv.delete(key(this.channelId));
  }
}
