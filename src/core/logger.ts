import pino, { type Logger } from 'pino';

export interface LogOptions {
  level: string;
  format: 'auto' | 'json' | 'pretty';
}

/**
 * Field names that may hold a secret anywhere in a log record. pino's redaction replaces them
 * before serialisation, so a secret never reaches a log line even when a config object is logged.
 */
export const SECRET_FIELDS = ['password', 'appKey', 'appSecret', 'accessToken', 'accessSecret', 'refreshToken', 'clientSecret', 'secretKey', 'accessJwt', 'refreshJwt', 'authorization', 'token', 'webhook'];

// pino's paths are case-sensitive: HTTP header names come in both cases.
const withCases = [...SECRET_FIELDS, 'Authorization', 'cookie', 'Cookie', 'set-cookie'];
const redactPaths = withCases.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

/** Structured logs go to stderr; stdout is kept for what a command prints (threads, tables, JSON). */
export function createLogger(opts: LogOptions): Logger {
  const pretty = opts.format === 'pretty' || (opts.format === 'auto' && process.stderr.isTTY === true);
  const base = { level: opts.level, redact: { paths: redactPaths, censor: '[redacted]' } };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } } });
  }
  return pino(base, pino.destination({ fd: 2, sync: true }));
}
