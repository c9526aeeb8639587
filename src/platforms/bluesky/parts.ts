/**
 * The shape of a Bluesky thread part. Kept apart from the compose rules so the publisher and the record
 * builder can import it without pulling in segmenters.
 */

export type BlueskyFacetFeature =
  | { $type: 'app.bsky.richtext.facet#link'; uri: string }
  | { $type: 'app.bsky.richtext.facet#tag'; tag: string };

export interface BlueskyFacet {
  /** UTF-8 byte offsets: byteStart inclusive, byteEnd exclusive. */
  index: { byteStart: number; byteEnd: number };
  features: BlueskyFacetFeature[];
}

// A type alias rather than an interface: only aliases get an implicit index signature, so a part can be
// stored where a `{ text: string; [k: string]: unknown }` is expected (the delivery's passthrough thread
// schema) without a cast.
export type BlueskyPart = {
  text: string;
  facets: BlueskyFacet[];
  graphemes: number;
  bytes: number;
};
