/** Both simulators, listening, loaded with the demo data: used by `npm run sim` and `npm start`. */
import { loopbackHost } from '../runtime/loopback.ts';
import { FRESH_PARTNER, generateDemoData, type DemoData } from './demo-data.ts';
import { createAutotaskSimulator, type AutotaskSimulator } from './autotask/server.ts';
import { createPasswordBossSimulator, type PasswordBossSimulator } from './passwordboss/server.ts';

export interface RunningSimulators {
  demo: DemoData;
  autotask: AutotaskSimulator;
  passwordboss: PasswordBossSimulator;
  zoneLookupUrl: string;
  passwordbossUrl: string;
  close(): Promise<void>;
}

export async function startSimulators(options: { host: string; autotaskPort: number; passwordbossPort: number; passwordbossToken: string; companies?: number }): Promise<RunningSimulators> {
  const demo = generateDemoData({ companies: options.companies ?? 40 });
  // A second partner with the same customers, not set up yet: the one to walk through setup with.
  demo.passwordboss.partners.push({ ...structuredClone(demo.passwordboss.partners[0]!), id: FRESH_PARTNER.id, name: FRESH_PARTNER.name });
  const autotask = createAutotaskSimulator({ fixture: demo.autotask });
  const passwordboss = createPasswordBossSimulator({ token: options.passwordbossToken, fixture: demo.passwordboss });
  // Loopback whatever HOST says: the simulators have no authentication and serve demo credentials.
  const host = loopbackHost(options.host);
  const autotaskUrl = await autotask.app.listen({ host, port: options.autotaskPort });
  const passwordbossUrl = await passwordboss.app.listen({ host, port: options.passwordbossPort });
  return {
    demo,
    autotask,
    passwordboss,
    zoneLookupUrl: `${autotaskUrl}/atservicesrest/v1.0/zoneInformation`,
    passwordbossUrl,
    async close() {
      await Promise.all([autotask.app.close(), passwordboss.app.close()]);
    },
  };
}
