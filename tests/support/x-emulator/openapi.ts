/**
 * Request validation against X's own OpenAPI document (v2.167).
 *
 * The document is loaded and compiled once per process, lazily, on the first validation. It is read from
 * `X_OPENAPI_PATH` when set, else from the pinned copy beside this file (`x-openapi-2.167.json`, a verbatim
 * copy of /work/shared/x-api/openapi.json, so the tests do not depend on a path outside the repository).
 *
 * OpenAPI 3.0 is not JSON Schema: `nullable: true` is rewritten to a JSON-Schema union, and Ajv runs with
 * `strict: false` so OpenAPI-only keywords (discriminator, example, xml, …) are ignored.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsPluginModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import may be the module object.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((formatsPluginModule as unknown as { default?: AddFormats }).default ??
  formatsPluginModule) as unknown as AddFormats;

export type SchemaName =
  | 'CreatePostsRequest'
  | 'DeletePostsResponse'
  | 'ResourceNotFoundProblem'
  | 'PostId'
  | 'InitializeMediaUploadRequest'
  | 'AppendMediaUploadRequest'
  | 'CreateMediaMetadataRequest';

interface OpenApiDoc {
  info: { version: string };
  paths: Record<string, Record<string, { parameters?: Array<{ name?: string; $ref?: string; schema?: unknown }> }>>;
  components: { schemas: Record<string, unknown>; parameters?: Record<string, { name: string; schema?: unknown }> };
}

interface Compiled {
  version: string;
  /** Every documented operation, as `METHOD /path/{template}`. */
  operations: Set<string>;
  validators: Map<SchemaName, ValidateFunction>;
  /** Wire names accepted in `tweet.fields` (taken from the document's own tweet.fields enum). */
  tweetFields: Set<string>;
  /** Names accepted in `user.fields`. */
  userFields: Set<string>;
}

let compiled: Compiled | undefined;

export function openApiPath(): string {
  return process.env.X_OPENAPI_PATH ?? fileURLToPath(new URL('./x-openapi-2.167.json', import.meta.url));
}

/** Rewrite OpenAPI 3.0 `nullable` into JSON Schema, recursively (returns a new value). */
export function convertNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertNullable);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    // `properties` maps names to schemas: convert each, but never treat a property named "nullable" as the keyword.
    if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([pk, pv]) => [pk, convertNullable(pv)]));
    } else if (k !== 'nullable') {
      out[k] = convertNullable(v);
    }
  }
  if ((node as Record<string, unknown>).nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function paramEnum(doc: OpenApiDoc, path: string, name: string): string[] {
  const op = doc.paths[path]?.get;
  for (const p of op?.parameters ?? []) {
    const param = p.$ref ? doc.components.parameters?.[p.$ref.split('/').pop() ?? ''] : p;
    if (param?.name === name) {
      const items = (param.schema as { items?: { enum?: string[] } } | undefined)?.items;
      return items?.enum ?? [];
    }
  }
  return [];
}

function compile(): Compiled {
  if (compiled) return compiled;
  const doc = JSON.parse(readFileSync(openApiPath(), 'utf8')) as OpenApiDoc;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'x-openapi', components: { schemas: convertNullable(doc.components.schemas) } });
  const validators = new Map<SchemaName, ValidateFunction>();
  for (const name of [
    'CreatePostsRequest',
    'DeletePostsResponse',
    'ResourceNotFoundProblem',
    'PostId',
    'InitializeMediaUploadRequest',
    'AppendMediaUploadRequest',
    'CreateMediaMetadataRequest',
  ] as const) {
    const v = ajv.getSchema(`x-openapi#/components/schemas/${name}`);
    if (!v) throw new Error(`x-emulator: schema ${name} not found in ${openApiPath()}`);
    validators.set(name, v);
  }
  // v2.167 documents GET /2/users/{id}/tweets with `post.fields`, but X and twitter-api-v2 use `tweet.fields`
  // on the wire; the document's `tweet.fields` enum (e.g. on /2/tweets/search/stream) lists the wire names.
  const tweetFields = new Set([
    ...paramEnum(doc, '/2/tweets/search/stream', 'tweet.fields'),
    ...paramEnum(doc, '/2/users/{id}/tweets', 'post.fields'),
  ]);
  const userFields = new Set(paramEnum(doc, '/2/users/me', 'user.fields'));
  const operations = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`)));
  compiled = { version: doc.info.version, operations, validators, tweetFields, userFields };
  return compiled;
}

export interface SchemaProblem {
  message: string;
  parameters: Record<string, unknown[]>;
}

/** Validate `value` against a components schema. Returns [] when valid. */
export function validateAgainst(name: SchemaName, value: unknown): SchemaProblem[] {
  const v = compile().validators.get(name);
  if (!v) throw new Error(`x-emulator: no validator for ${name}`);
  if (v(value)) return [];
  return (v.errors ?? []).map((e: ErrorObject) => {
    const where = e.instancePath ? '$' + e.instancePath.replace(/\//g, '.') : '$';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : '';
    const param = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body';
    return { message: `${where}: ${e.message ?? 'invalid'}${extra}`, parameters: { [param]: [e.data as unknown] } };
  });
}

/** Whether X's document has this operation (path as templated there, e.g. /2/tweets/{id}). */
export function documentsOperation(method: string, path: string): boolean {
  return compile().operations.has(`${method.toUpperCase()} ${path}`);
}

export function tweetFieldNames(): Set<string> {
  return compile().tweetFields;
}

export function userFieldNames(): Set<string> {
  return compile().userFields;
}

export function openApiVersion(): string {
  return compile().version;
}
