import { z } from 'zod';
import { literalText } from './interpolate.js';

/**
 * The config fields that hold a credential, marked once in the schema with `secret()`. The loader reads
 * this registry to warn when one is written in the file instead of coming from the environment as `${VAR}`
 * (README, "Configuration"); tests/security/config.test.ts checks the logger redacts the same names.
 *
 * `value`: the whole string is the secret. `url-password`: only the password of a URL is (a Redis store
 * URL may carry one, `redis://:${REDIS_PASSWORD}@host`).
 */
export type SecretKind = 'value' | 'url-password';

export const secretFields = z.registry<{ kind: SecretKind }>();

export function secret<T extends z.ZodType>(schema: T, kind: SecretKind = 'value'): T {
  secretFields.add(schema, { kind });
  return schema;
}

export type ConfigPath = (string | number)[];

/**
 * The paths of the raw (not yet interpolated) config where a secret field holds literal text. A value
 * that is only `${VAR}` references passes; literal text around one, or a non-empty `${VAR:-default}`,
 * is a secret kept in the file all the same. Call it on a config the schema accepted.
 */
export function literalSecretPaths(schema: z.ZodType, raw: unknown): ConfigPath[] {
  const found = new Map<string, ConfigPath>();
  walk(schema, raw, [], (p) => found.set(JSON.stringify(p), p));
  return [...found.values()];
}

function walk(schema: z.ZodType, raw: unknown, at: ConfigPath, report: (p: ConfigPath) => void): void {
  const meta = secretFields.get(schema);
  if (meta) {
    if (typeof raw === 'string' && isLiteral(raw, meta.kind)) report(at);
    return;
  }
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodNullable) {
    walk(schema.unwrap() as z.ZodType, raw, at, report);
  } else if (schema instanceof z.ZodPipe) {
    walk(schema.in as z.ZodType, raw, at, report);
  } else if (schema instanceof z.ZodUnion) {
    // The config already parsed, so a strict option's keys are only present where that option applies.
    for (const option of schema.options) walk(option as z.ZodType, raw, at, report);
  } else if (schema instanceof z.ZodArray) {
    if (Array.isArray(raw)) raw.forEach((item, i) => walk(schema.element as z.ZodType, item, [...at, i], report));
  } else if (schema instanceof z.ZodObject) {
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      const record = raw as Record<string, unknown>;
      for (const [key, field] of Object.entries(schema.shape)) {
        if (key in record) walk(field as z.ZodType, record[key], [...at, key], report);
      }
    }
  }
}

function isLiteral(raw: string, kind: SecretKind): boolean {
  const literal = literalText(raw);
  if (kind === 'value') return literal !== '';
  // Only the password part counts: `redis://user@host` names a user, which is not a secret.
  return URL.canParse(literal) && new URL(literal).password !== '';
}
