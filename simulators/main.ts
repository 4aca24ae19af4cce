/** `npm run sim`: the Autotask and Password Boss simulators alone, with the demo data. */
import { loadEnv } from '../config/env.ts';
import { resolveLocalSecrets } from '../runtime/local-secrets.ts';
import { onShutdown } from '../runtime/shutdown.ts';
import { startSimulators } from './start-simulators.ts';

const env = loadEnv();
const secrets = resolveLocalSecrets(env);
const sims = await startSimulators({ host: env.HOST, autotaskPort: env.SIM_PORT_AUTOTASK || 4100, passwordbossPort: env.SIM_PORT_PASSWORDBOSS || 4200, passwordbossToken: secrets.passwordbossToken });
const say = (line: string) => process.stdout.write(`${line}\n`);
say('Simulators are up (demo data: one partner, 40 companies):');
say(`  AUTOTASK_ZONE_LOOKUP_URL=${sims.zoneLookupUrl}`);
say(`  PASSWORDBOSS_API_URL=${sims.passwordbossUrl}`);
say(`  PASSWORDBOSS_API_TOKEN=${secrets.passwordbossToken}`);
say(`  Autotask API user ${sims.demo.credentials.username}, secret ${sims.demo.credentials.secret}, tracking identifier ${sims.demo.credentials.trackingIdentifier}`);
say('  Control: POST /_sim/faults, PUT /_sim/latency, GET /_sim/requests, GET /_sim/state, DELETE /_sim/usage, GET|DELETE /_sim/concurrency (Autotask)');
onShutdown([() => sims.close()], say);
