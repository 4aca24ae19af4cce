/**
 * The Temporal SDK's process-wide runtime for the worker: its log lines (workflow and activity
 * `log` calls, and the SDK core's warnings) go through the service's pino logger as JSON with
 * their attributes (partnerId and runId among them, see the interceptors), and, when asked, its
 * metrics are served in Prometheus format on a loopback address for worker/metrics-server.ts to
 * pass on. Installed once, before the worker's first connection, by runWorker (so every process
 * that runs a worker installs it the same way).
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../runtime/logger.ts';

const sdkLevel: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'ERROR', silent: 'ERROR' };
const pinoLevel: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The SDK's logger, writing through pino with every attribute the SDK and interceptors attach. */
export function sdkLoggerFor(logger: Logger): DefaultLogger {
  const log = logger.child({ component: 'temporal' });
  const chatty = log.level === 'debug' || log.level === 'trace';
  return new DefaultLogger(sdkLevel[log.level] ?? 'INFO', (entry: LogEntry) => {
    const { sdkComponent, ...meta } = entry.meta ?? {};
    // The SDK's own INFO lines (bundle sizes, state changes) drown the service's: from the SDK
    // itself only warnings and errors, unless debugging; workflow and activity code log freely.
    if (!chatty && sdkComponent !== 'workflow' && sdkComponent !== 'activity' && (entry.level === 'INFO' || entry.level === 'DEBUG' || entry.level === 'TRACE')) return;
    log[pinoLevel[entry.level]]({ ...meta, ...(sdkComponent ? { sdk: sdkComponent } : {}) }, entry.message);
  });
}

let installed = false;

export function installWorkerRuntime(options: { logger: Logger; sdkMetricsAddress?: string | undefined }): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    // The process owns SIGINT/SIGTERM (runtime/shutdown.ts): it drains the worker itself.
    shutdownSignals: [],
    logger: sdkLoggerFor(options.logger),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      ...(options.sdkMetricsAddress ? { metrics: { prometheus: { bindAddress: options.sdkMetricsAddress, countersTotalSuffix: true } } } : {}),
    },
  });
}
