/**
 * Temporal connections that never crash the process when the server is away: the client side
 * connects lazily (gRPC reconnects by itself) and `/readyz` probes it; the worker side retries
 * with backoff and says where it is trying to reach.
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';

export interface TemporalTarget {
  address: string;
  namespace: string;
  tls: boolean;
  apiKey?: string | undefined;
}

function connectionOptions(target: TemporalTarget): ConnectionOptions & NativeConnectionOptions {
  return {
    address: target.address,
    ...(target.tls || target.apiKey ? { tls: true } : {}),
    ...(target.apiKey ? { apiKey: target.apiKey } : {}),
  };
}

export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  /** Rejects with a reason when the server cannot be reached within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** `traced`: workflow starts carry the caller's trace context to the workflow (tracing on only). */
export function createTemporalClient(target: TemporalTarget, options: { traced?: boolean } = {}): TemporalClientHandle {
  const connection = Connection.lazy(connectionOptions(target));
  const client = new Client({ connection, namespace: target.namespace, ...(options.traced ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}) });
  return {
    client,
    connection,
    async ping(timeoutMs = 2_000) {
      await connection.withDeadline(Date.now() + timeoutMs, () =>
        connection.workflowService.getSystemInfo({})
      );
    },
    async close() {
      await connection.close();
    },
  };
}

export async function connectWorkerWithRetry(
  target: TemporalTarget,
  log: (line: string) => void,
  signal?: AbortSignal
): Promise<NativeConnection> {
  let delay = 500;
  for (;;) {
    try {
      return await NativeConnection.connect(connectionOptions(target));
    } catch (err) {
      if (signal?.aborted) throw err;
      log(`Temporal at ${target.address} is not reachable (${(err as Error).message.split('\n')[0]}); retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  }
}
