// Keeps the SDK's INFO chatter (bundle sizes, worker state changes) out of test output. The SDK's
// runtime is installed once per process, so a test that reads the worker's log lines routes them
// to its own logger instead (routeSdkLogs) rather than installing another.
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';

let target: Logger = new DefaultLogger('WARN');

export function routeSdkLogs(logger: Logger): void {
  target = logger;
}

Runtime.install({
  logger: {
    log: (level: LogLevel, message: string, meta?: LogMetadata) => target.log(level, message, meta),
    trace: (message: string, meta?: LogMetadata) => target.trace(message, meta),
    debug: (message: string, meta?: LogMetadata) => target.debug(message, meta),
    info: (message: string, meta?: LogMetadata) => target.info(message, meta),
    warn: (message: string, meta?: LogMetadata) => target.warn(message, meta),
    error: (message: string, meta?: LogMetadata) => target.error(message, meta),
  },
});
