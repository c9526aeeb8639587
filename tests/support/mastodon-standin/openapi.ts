/**
 * Checks requests and answers of the Mastodon stand-in against Mastodon 4.7's API description (openapi.json beside
 * this file: abraham/mastodon-openapi, MIT, dist/schema.json at commit 89b11e7; docs/mastodon.md). OpenAPI 3.1
 * schemas are JSON Schema 2020-12, so Ajv's 2020 dialect compiles them; OpenAPI-only keywords are ignored.
 *
 * Where the document cannot be read literally, and what is checked instead:
 * - A header parameter is a string on the wire; the document types Idempotency-Key as `object`. Its presence
 *   as a non-empty string is what is checked.
 * - A request body's `oneOf` of overlapping shapes (TextStatus and MediaStatus both fit a status with text and
 *   media, which Mastodon takes) is read as `anyOf`. Every other keyword stays.
 * - Request bodies are closed: a property no branch of the document names is refused (Mastodon ignores unknown
 *   parameters, so a misspelt one would otherwise pass silently).
 * - A call that needs a scope the token lacks answers 403 (Doorkeeper, before the call runs); the document lists 403
 *   only on some calls. On the others a 403 is checked against Error.
 * - GET /api/v1/media/{id} answers 206 with no body in the document; Mastodon sends the MediaAttachment (url null).
 *   That body is checked against MediaAttachment.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPluginModule from 'ajv-formats';

type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((formatsPluginModule as unknown as { default?: AddFormats }).default ?? formatsPluginModule) as unknown as AddFormats;

const DOC_ID = 'mastodon-openapi';

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: Record<string, { $ref?: string; schema?: Schema }> }>;
}
interface Doc {
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; headers: Record<string, { schema: Schema }> };
}

export function openApiPath(): string {
  return fileURLToPath(new URL('./openapi.json', import.meta.url));
}

/** `#/components/…` refs point into the registered document. */
function rebase(node: unknown, bodyOneOf = false): unknown {
  if (Array.isArray(node)) return node.map((n) => rebase(n, bodyOneOf));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `${DOC_ID}${v}`;
    else if (k === 'oneOf' && bodyOneOf) out.anyOf = rebase(v, bodyOneOf);
    else out[k] = rebase(v, bodyOneOf);
  }
  return out;
}

let loaded: { doc: Doc; ajv: Ajv2020; cache: Map<string, ValidateFunction> } | undefined;

function load() {
  if (loaded) return loaded;
  const doc = JSON.parse(readFileSync(openApiPath(), 'utf8')) as Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // The document's own format for language codes; Mastodon sends ISO 639-1 (two letters) or null.
  ajv.addFormat('iso-639-1', /^[a-z]{2}$/);
  ajv.addSchema({ $id: DOC_ID, components: rebase(doc.components) });
  loaded = { doc, ajv, cache: new Map() };
  return loaded;
}

function validator(key: string, schema: Schema, bodyOneOf = false): ValidateFunction {
  const { ajv, cache } = load();
  let v = cache.get(key);
  if (!v) {
    v = ajv.compile(rebase(schema, bodyOneOf) as Schema);
    cache.set(key, v);
  }
  return v;
}

const describe = (errors: ErrorObject[] | null | undefined, at: string) =>
  (errors ?? []).map((e) => `${at}${e.instancePath || ''} ${e.message ?? 'invalid'}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : ''}`);

export function operation(method: string, template: string): Operation | undefined {
  return load().doc.paths[template]?.[method.toLowerCase()];
}

/** The scopes the document asks for (any one of them grants the call); [] when it asks for none. */
export function requiredScopes(method: string, template: string): string[] {
  return operation(method, template)?.security?.flatMap((s) => s.OAuth2 ?? []) ?? [];
}

/** Every property name a schema (through refs, allOf, anyOf, oneOf) declares. */
function declaredProperties(schema: unknown, seen = new Set<unknown>()): Set<string> {
  const names = new Set<string>();
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return names;
  seen.add(schema);
  const s = schema as Schema;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    return declaredProperties(load().doc.components.schemas[name], seen);
  }
  for (const k of Object.keys((s.properties as Schema | undefined) ?? {})) names.add(k);
  for (const key of ['allOf', 'anyOf', 'oneOf']) for (const branch of (s[key] as unknown[] | undefined) ?? []) for (const n of declaredProperties(branch, seen)) names.add(n);
  return names;
}

export interface RequestFacts {
  method: string;
  /** The document's path template, e.g. /api/v1/media/{id}. */
  template: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** Media type without parameters, when there is a body. */
  contentType?: string;
  /** JSON body, or multipart fields with each file as the string "<binary>". */
  body?: Record<string, unknown>;
}

/** What in a request the document does not allow; [] when it all fits. */
export function checkRequest(req: RequestFacts): string[] {
  const op = operation(req.method, req.template);
  if (!op) return [`${req.method} ${req.template} is not in the document`];
  const problems: string[] = [];
  const params = op.parameters ?? [];
  for (const name of new Set(req.query.keys())) {
    const param = params.find((p) => p.in === 'query' && p.name === name);
    if (!param) {
      problems.push(`query parameter ${name} is not in the document`);
      continue;
    }
    const raw = req.query.get(name)!;
    const type = param.schema?.type;
    const value = type === 'integer' || type === 'number' ? Number(raw) : type === 'boolean' ? (raw === 'true' ? true : raw === 'false' ? false : raw) : raw;
    const v = validator(`${req.method} ${req.template} query ${name}`, param.schema ?? {});
    if (!v(value)) problems.push(...describe(v.errors, `query ${name}`));
  }
  for (const param of params.filter((p) => p.in === 'header')) {
    const value = req.headers[param.name.toLowerCase()];
    if (value === undefined) {
      if (param.required) problems.push(`header ${param.name} is required`);
    } else if (param.schema?.type === 'object' ? value.length === 0 : !validator(`${req.template} header ${param.name}`, param.schema ?? {})(value)) {
      problems.push(`header ${param.name} is not a valid value`);
    }
  }
  if (req.body === undefined) {
    if (op.requestBody?.required) problems.push('a request body is required');
    return problems;
  }
  const content = op.requestBody?.content[req.contentType ?? ''];
  if (!content) return [...problems, `a ${req.contentType ?? 'missing'} body is not in the document (${Object.keys(op.requestBody?.content ?? {}).join(', ') || 'no body'})`];
  const declared = declaredProperties(content.schema);
  for (const name of Object.keys(req.body)) if (!declared.has(name)) problems.push(`body property ${name} is not in the document`);
  const v = validator(`${req.method} ${req.template} body ${req.contentType}`, content.schema, true);
  if (!v(req.body)) problems.push(...describe(v.errors, 'body'));
  return problems;
}

export interface ResponseFacts {
  method: string;
  template: string;
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

/** What in an answer the document does not allow; [] when it all fits. */
export function checkResponse(res: ResponseFacts): string[] {
  const op = operation(res.method, res.template);
  if (!op) return [`${res.method} ${res.template} is not in the document`];
  const scopeRefusal: Operation['responses'][string] | undefined =
    res.status === 403 && op.security !== undefined ? { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } : undefined;
  const declared = op.responses[String(res.status)] ?? scopeRefusal;
  if (!declared) return [`status ${res.status} is not a documented answer of ${res.method} ${res.template}`];
  const problems: string[] = [];
  for (const [name, header] of Object.entries(declared.headers ?? {})) {
    const value = res.headers[name.toLowerCase()];
    if (value === undefined) continue;
    const schema = header.schema ?? load().doc.components.headers[header.$ref!.split('/').pop()!]!.schema;
    const typed = schema.type === 'integer' ? Number(value) : value;
    const v = validator(`header ${name}`, schema);
    if (!v(typed)) problems.push(...describe(v.errors, `header ${name}`));
  }
  const mediaAttachment206 = res.status === 206 && res.template === '/api/v1/media/{id}';
  const schema = mediaAttachment206 ? { $ref: '#/components/schemas/MediaAttachment' } : declared.content?.['application/json']?.schema;
  if (!schema) {
    if (res.body !== undefined) problems.push(`status ${res.status} of ${res.method} ${res.template} has no body in the document`);
    return problems;
  }
  const v = validator(`${res.method} ${res.template} ${res.status}`, schema);
  if (!v(res.body)) problems.push(...describe(v.errors, 'answer'));
  return problems;
}

export function documentVersion(): string {
  return load().doc.info.version;
}
