import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Session tokens must survive restarts, yet the store must never hold a usable secret. They are
 * sealed with AES-256-GCM under a key derived from the configured credential, which lives only in the
 * environment: the store alone reveals nothing, and a changed credential simply means a new login.
 */
export interface Sealed {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

function keyFor(secret: string, context: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, `threadcast:${context}`, 'threadcast sealed state v1', 32));
}

export function seal(value: unknown, secret: string, context: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret, context), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** The sealed value, or undefined when it was sealed under another secret or context, or is damaged. */
export function unseal<T>(sealed: unknown, secret: string, context: string): T | undefined {
  if (!sealed || typeof sealed !== 'object' || (sealed as Sealed).v !== 1) return undefined;
  const { iv, tag, data } = sealed as Sealed;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, context), Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
