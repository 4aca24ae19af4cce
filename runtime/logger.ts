import { pino, type Logger } from 'pino';
import { logRedactPaths } from '../api/app.ts';

export type { Logger };

/** One JSON logger for every process; secret-bearing paths are redacted. */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, redact: { paths: logRedactPaths, censor: '[redacted]' } });
}
