/**
 * The Temporal SDK's process-wide runtime for the worker: its log lines (workflow and activity
 * `log` calls, and the SDK core's warnings) go through the service's pino logger as JSON with
 * their attributes (partnerId and runId among them, see the interceptors), and, when asked, its
 * metrics are served in Prometheus format on a loopback address for worker/metrics-server.ts to
 * pass on. Installed once, before the worker's first connection.
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../runtime/logger.ts';

const sdkLevel: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };
const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The SDK's logger, writing through pino with every attribute the SDK and interceptors attach. */
export function sdkLoggerFor(logger: Logger): DefaultLogger {
  const log = logger.child({ component: 'temporal' });
  return new DefaultLogger(sdkLevel[log.level] ?? 'INFO', (entry: LogEntry) => {
    const { sdkComponent, ...meta } = entry.meta ?? {};
    log[pinoLevel[entry.level]]({ ...meta, ...(sdkComponent ? { sdk: sdkComponent } : {}) }, entry.message);
  });
}

let installed = false;

export function installWorkerRuntime(options: { logger: Logger; sdkMetricsAddress?: string | undefined }): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    // runtime/shutdown.ts owns SIGINT/SIGTERM: the worker drains in its ordered close steps.
    shutdownSignals: [],
    logger: sdkLoggerFor(options.logger),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      ...(options.sdkMetricsAddress ? { metrics: { prometheus: { bindAddress: options.sdkMetricsAddress, countersTotalSuffix: true } } } : {}),
    },
  });
}
