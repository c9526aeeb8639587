/**
 * The instance's own limits (GET /api/v2/instance, no token needed), kept in the store for a day: an admin can
 * raise max_characters, but not so often that every publish round should ask.
 */
import type Keyv from 'keyv';
import type { MastodonApi } from './api.js';
import { MASTODON_DEFAULT_LIMITS, type MastodonLimits } from './limits.js';

const TTL_MS = 24 * 3_600_000;

interface CachedLimits {
  limits: MastodonLimits;
  fetchedAt: number;
}

/** The part of the Instance entity read here; every field may be missing on an older or unusual server. */
interface InstanceConfiguration {
  configuration?: { statuses?: { max_characters?: unknown; characters_reserved_per_url?: unknown; max_media_attachments?: unknown } };
}

const positive = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback);

export function limitsOf(instance: InstanceConfiguration): MastodonLimits {
  const statuses = instance.configuration?.statuses ?? {};
  return {
    maxCharacters: positive(statuses.max_characters, MASTODON_DEFAULT_LIMITS.maxCharacters),
    charactersReservedPerUrl: positive(statuses.characters_reserved_per_url, MASTODON_DEFAULT_LIMITS.charactersReservedPerUrl),
    maxMediaAttachments: positive(statuses.max_media_attachments, MASTODON_DEFAULT_LIMITS.maxMediaAttachments),
  };
}

export class InstanceLimits {
  private known: CachedLimits | undefined;
  private readonly key: string;

  constructor(
    private readonly api: MastodonApi,
    private readonly kv: Keyv,
    instance: string,
    private readonly now: () => number,
  ) {
    this.key = `mastodon:instance:${new URL(instance).origin}`;
  }

  /** The limits from memory or the store while fresh, else asked of the instance (and stored). */
  async load(): Promise<MastodonLimits> {
    if (this.known && this.fresh(this.known)) return this.known.limits;
    const stored = (await this.kv.get(this.key)) as CachedLimits | undefined;
    if (stored && this.fresh(stored)) {
      this.known = stored;
      return stored.limits;
    }
    const answer = await this.api.call<InstanceConfiguration>('GET', '/api/v2/instance', { anonymous: true });
    this.known = { limits: limitsOf(answer.body ?? {}), fetchedAt: this.now() };
    await this.kv.set(this.key, this.known);
    return this.known.limits;
  }

  private fresh(cached: CachedLimits): boolean {
    return this.now() - cached.fetchedAt < TTL_MS;
  }
}
