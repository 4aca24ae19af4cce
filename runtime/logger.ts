import { pino, type Logger } from 'pino';

export type { Logger };

/** Where secrets could appear in a log line; pino replaces them. */
export const logRedactPaths = [
  'req.headers.authorization',
  'req.headers.secret',
  'secret',
  '*.secret',
  'body.secret',
  'req.body.secret',
];

/** One JSON logger for every process; secret-bearing paths are redacted. */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, redact: { paths: logRedactPaths, censor: '[redacted]' } });
}
