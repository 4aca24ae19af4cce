/**
 * The worker's Prometheus endpoint (METRICS_PORT, on METRICS_HOST: loopback unless set): this
 * process's `pbsync_` metrics followed by the Temporal SDK's own (`temporal_…`: task slots, poll
 * latency, schedule-to-start, sticky cache), read from the SDK's exporter on a private loopback
 * port, so one scrape target carries both. No authentication: bind it where only the scraper can
 * reach it (a pod network, not the internet).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { observeIntegrations, registry } from '../deps/metrics.ts';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function serveWorkerMetrics(options: { host: string; port: number; sdkMetricsUrl?: string | undefined; onError?: (message: string) => void }): Promise<MetricsServer> {
  observeIntegrations();
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.statusCode = 404;
      res.end('not found\n');
      return;
    }
    void (async () => {
      const ours = await registry.metrics();
      let sdk = '';
      if (options.sdkMetricsUrl) {
        try {
          const answer = await request(options.sdkMetricsUrl, { headersTimeout: 2_000, bodyTimeout: 2_000 });
          sdk = await answer.body.text();
        } catch (err) {
          options.onError?.(`the Temporal SDK's metrics could not be read: ${(err as Error).message}`);
        }
      }
      res.setHeader('content-type', registry.contentType);
      res.end(`${ours}\n${sdk}`);
    })().catch((err: Error) => {
      res.statusCode = 500;
      res.end(`${err.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
