import { createHash } from 'node:crypto';

/** Hex SHA-256 of the given parts (joined unambiguously), cut to `length` characters. */
export function sha256Hex(parts: readonly string[], length = 32): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, length);
}
