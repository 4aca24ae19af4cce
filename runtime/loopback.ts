/**
 * The embedded Temporal dev server, its Web UI and the simulators have no authentication: the
 * UI lists (and can start, cancel and reset) every partner's workflows, and the simulators hand
 * out demo credentials. They listen on loopback whatever `HOST` says; `HOST` is for the API,
 * which authenticates every /v1 request. To reach them from elsewhere, put an authenticating
 * proxy in front (SECURITY.md).
 */
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function loopbackHost(requested: string | undefined): string {
  return requested && LOOPBACK.has(requested) ? requested : '127.0.0.1';
}
