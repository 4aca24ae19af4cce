/**
 * Socket timeouts for the HTTP server, so a client cannot hold a connection open by trickling
 * a request (a body sent a byte every few seconds used to keep one open indefinitely, without a key).
 */
import type { ServerOptions } from 'node:http';

export interface ServerTimeouts {
  /** The whole request (headers and body) must arrive within this; then 408 and the socket closes. */
  requestMs: number;
  /** An idle socket (nothing sent either way) is closed after this. */
  connectionMs: number;
  /** How long a kept-alive socket waits for the next request. */
  keepAliveMs: number;
  /** How often Node checks `requestMs` (its default, 30 s, would let a slow request live 30 s too long). */
  checkIntervalMs: number;
}

export const defaultTimeouts: ServerTimeouts = {
  requestMs: 30_000,
  connectionMs: 60_000,
  keepAliveMs: 10_000,
  checkIntervalMs: 2_000,
};

export interface TimeoutOptions {
  requestTimeout: number;
  connectionTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
}

export function serverTimeoutOptions(overrides: Partial<ServerTimeouts> = {}): TimeoutOptions {
  const t = { ...defaultTimeouts, ...overrides };
  return {
    requestTimeout: t.requestMs,
    connectionTimeout: t.connectionMs,
    keepAliveTimeout: t.keepAliveMs,
    http: { connectionsCheckingInterval: t.checkIntervalMs, headersTimeout: Math.min(t.requestMs, 20_000) },
  };
}
