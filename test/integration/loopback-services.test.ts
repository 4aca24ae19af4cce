/** The unauthenticated helpers (simulators, the embedded Temporal and its UI) stay on loopback whatever HOST says. */
import { describe, expect, it } from 'vitest';
import { loopbackHost } from '../../runtime/loopback.ts';
import { startSimulators } from '../../simulators/start-simulators.ts';

describe('HOST=0.0.0.0', () => {
  it('does not expose the simulators', async () => {
    const sims = await startSimulators({ host: '0.0.0.0', autotaskPort: 0, passwordbossPort: 0, passwordbossToken: 'pbsim_test', companies: 2 });
    try {
      for (const app of [sims.autotask.app, sims.passwordboss.app]) {
        for (const address of app.addresses()) expect(['127.0.0.1', '::1']).toContain(typeof address === 'string' ? address : address.address);
      }
      expect(sims.zoneLookupUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
    } finally {
      await sims.close();
    }
  });

  it('gives the embedded Temporal dev server and its UI a loopback address', () => {
    expect(loopbackHost('0.0.0.0')).toBe('127.0.0.1');
    expect(loopbackHost('::')).toBe('127.0.0.1');
    expect(loopbackHost('192.168.1.10')).toBe('127.0.0.1');
    expect(loopbackHost(undefined)).toBe('127.0.0.1');
    expect(loopbackHost('::1')).toBe('::1');
  });
});
