import { jsonToLex } from '@atproto/lex-json';
import { cidForLex } from '@atproto/lex-cbor';
import type { BlueskyFacet, BlueskyPart } from './parts.js';

export const POST_COLLECTION = 'app.bsky.feed.post';

/** Decided before any write and stored with the delivery, so a retry rebuilds the same records. */
export interface ThreadIntent {
  rkeys: string[];
  /** createdAt of the first post; each later part is one millisecond later, keeping the order. */
  createdAt: string;
}

export interface BlobRefJson {
  $type: 'blob';
  ref: { $link: string };
  mimeType: string;
  size: number;
}

export type EmbedJson =
  | { $type: 'app.bsky.embed.external'; external: { uri: string; title: string; description: string; thumb?: BlobRefJson } }
  | { $type: 'app.bsky.embed.images'; images: Array<{ alt: string; image: BlobRefJson; aspectRatio?: { width: number; height: number } }> };

interface StrongRef {
  uri: string;
  cid: string;
}

/** A type alias, not an interface: the XRPC client wants an index-signature-compatible value. */
export type PostRecordJson = {
  $type: typeof POST_COLLECTION;
  text: string;
  createdAt: string;
  facets?: BlueskyFacet[];
  langs?: string[];
  reply?: { root: StrongRef; parent: StrongRef };
  embed?: EmbedJson;
};

export interface BuiltRecord {
  rkey: string;
  uri: string;
  /** Computed here, from the exact JSON we send; the PDS must answer with the same. */
  cid: string;
  record: PostRecordJson;
}

/**
 * The thread's records with reply refs built from client-computed CIDs, so the whole thread can go in
 * one applyWrites commit: all parts land or none do.
 */
export async function buildThreadRecords(opts: {
  did: string;
  parts: readonly BlueskyPart[];
  intent: ThreadIntent;
  langs?: readonly string[];
  /** Embed per part index (usually only the first). */
  embeds?: ReadonlyMap<number, EmbedJson>;
  /** Continue an existing thread (an update note): its root, and the post to answer. */
  replyTo?: { root: StrongRef; parent: StrongRef };
}): Promise<BuiltRecord[]> {
  if (opts.intent.rkeys.length !== opts.parts.length) throw new Error('one record key per part is required');
  const start = Date.parse(opts.intent.createdAt);
  const built: BuiltRecord[] = [];
  for (const [i, part] of opts.parts.entries()) {
    const rkey = opts.intent.rkeys[i]!;
    const root = opts.replyTo?.root ?? built[0];
    const parent = built[i - 1] ?? opts.replyTo?.parent;
    const record: PostRecordJson = {
      $type: POST_COLLECTION,
      text: part.text,
      createdAt: new Date(start + i).toISOString(),
      ...(part.facets.length > 0 ? { facets: part.facets } : {}),
      ...(opts.langs && opts.langs.length > 0 ? { langs: [...opts.langs] } : {}),
      ...(root && parent ? { reply: { root: { uri: root.uri, cid: root.cid }, parent: { uri: parent.uri, cid: parent.cid } } } : {}),
      ...(opts.embeds?.has(i) ? { embed: opts.embeds.get(i)! } : {}),
    };
    const cid = (await cidForLex(jsonToLex(record as never))).toString();
    built.push({ rkey, uri: `at://${opts.did}/${POST_COLLECTION}/${rkey}`, cid, record });
  }
  return built;
}
