import { redactLocation } from '../http/redact-url.js';

/** How a feed location is named in errors and problems: `feed <location>`, secrets masked (http/redact-url.ts). */
export function feedWhere(location: string): string {
  return `feed ${redactLocation(location)}`;
}
