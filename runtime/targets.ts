import type { Env } from '../config/env.ts';
import type { TemporalTarget } from './temporal-connection.ts';

export function temporalTarget(env: Env, address?: string): TemporalTarget {
  return {
    address: address ?? env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE,
    tls: env.TEMPORAL_TLS,
    apiKey: env.TEMPORAL_API_KEY,
  };
}
