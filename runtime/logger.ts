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

/**
 * One logger for every process; secret-bearing paths are redacted. JSON lines, the form log
 * collectors read; `pretty` (npm start in a terminal) prints them human-readable through
 * pino-pretty instead, in a worker thread so the event loop never waits on formatting.
 */
export function createLogger(level: string, name: string, options: { pretty?: boolean } = {}): Logger {
  return pino({
    level,
    name,
    redact: { paths: logRedactPaths, censor: '[redacted]' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } } } : {}),
  });
}
