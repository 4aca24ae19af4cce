/** Both simulators on loopback ports, loaded with (a copy of) the demo data. */
import { generateDemoData, type DemoData, type DemoOptions } from '../../simulators/demo-data.ts';
import { createAutotaskSimulator, type AutotaskSimulator, type AutotaskSimulatorOptions } from '../../simulators/autotask/server.ts';
import { createPasswordBossSimulator, type PasswordBossSimulator } from '../../simulators/passwordboss/server.ts';

export interface Simulators {
  demo: DemoData;
  autotask: AutotaskSimulator;
  passwordboss: PasswordBossSimulator;
  zoneLookupUrl: string;
  autotaskUrl: string;
  passwordbossUrl: string;
  passwordbossToken: string;
  close(): Promise<void>;
}

export const FIXED_NOW = new Date('2026-11-27T12:00:00Z');

export async function startSimulators(options: DemoOptions & { autotask?: Omit<AutotaskSimulatorOptions, 'fixture'> } = {}): Promise<Simulators> {
  const demo = generateDemoData({ now: FIXED_NOW, ...options });
  const autotask = createAutotaskSimulator({ fixture: structuredClone(demo.autotask), ...options.autotask });
  const passwordbossToken = 'pb-test-token';
  const passwordboss = createPasswordBossSimulator({ token: passwordbossToken, fixture: structuredClone(demo.passwordboss) });
  const autotaskUrl = await autotask.app.listen({ host: '127.0.0.1', port: 0 });
  const passwordbossUrl = await passwordboss.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    demo,
    autotask,
    passwordboss,
    autotaskUrl,
    passwordbossUrl,
    passwordbossToken,
    zoneLookupUrl: `${autotaskUrl}/atservicesrest/v1.0/zoneInformation`,
    async close() {
      await autotask.app.close();
      await passwordboss.app.close();
    },
  };
}
