import { defaultDeserialize, defaultSerialize } from '@keyv/serialize';

/**
 * keyv's own format for stored values (@keyv/serialize), written and read faster. Its serializer walks every value
 * in JavaScript and its deserializer passes every value through a reviver, to mark the two things JSON cannot tell
 * apart: a Buffer (stored as the string ":base64:…") and a string that begins with ":" (stored with one more ":").
 * A poll writes and reads a seen mark for every entry of a feed, and that walk cost as much as SQLite itself.
 *
 * Where neither occurs, keyv's text is exactly JSON.stringify's, and JSON.parse reads it back exactly: so that is
 * what is used, and keyv's functions only where a value has such a string or a Buffer. Which is known from the JSON
 * text: a string that begins with ":" starts with `":` right after `[`, `,` or `:` — inside a JSON string a quote is
 * always escaped, so that sequence appears only where a string starts (object keys, never escaped by keyv, may
 * match too: then keyv's own function runs, which is never wrong). The two formats are one: stores written either
 * way read the same (tests/store/keyv-codec.test.ts compares them value by value).
 */
const STRING_FROM_COLON = /[[,:]":/;
const BUFFER_JSON = /"type":"Buffer"/;

type Stored<Value> = { value?: Value; expires?: number | undefined };

export function serializeStored<Value>(data: Stored<Value>): string {
  const json = JSON.stringify(data);
  return STRING_FROM_COLON.test(json) || BUFFER_JSON.test(json) ? defaultSerialize(data) : json;
}

export function deserializeStored<Value>(text: string): Stored<Value> | undefined {
  return (STRING_FROM_COLON.test(text) ? defaultDeserialize(text) : JSON.parse(text)) as Stored<Value> | undefined;
}
