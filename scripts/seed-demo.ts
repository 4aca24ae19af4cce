/**
 * Seeds the embedded database with the demo partner, configured as an MSP would have it after
 * setup: credentials for the simulated Autotask, both products mapped, most companies mapped
 * (one still to the contract that ended), a weekly schedule. Runs once per data folder.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../deps/deps.ts';
import { upsertSettings } from '../db/repositories/autotask-settings.ts';
import { mintApiKey } from '../db/repositories/api-keys.ts';
import { refreshCompanies, saveCompanyMapping } from '../db/repositories/company-mappings.ts';
import { findPartner, insertPartner } from '../db/repositories/partners.ts';
import { replaceProductMappings } from '../db/repositories/product-mappings.ts';
import { upsertSchedule } from '../db/repositories/sync-schedules.ts';
import { FRESH_PARTNER, type DemoData } from '../simulators/demo-data.ts';

const demoFileSchema = z.object({ partnerId: z.string(), apiKey: z.string() });

export async function seedDemo(deps: Deps, demo: DemoData, dataDir: string): Promise<{ partnerId: string; apiKey: string | null; created: boolean }> {
  const file = path.resolve(dataDir, 'demo.json');
  const partnerId = demo.partner.id;
  if (await findPartner(deps.db, partnerId)) {
    const saved = existsSync(file) ? demoFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
    return { partnerId, apiKey: saved?.success ? saved.data.apiKey : null, created: false };
  }
  await insertPartner(deps.db, demo.partner);
  await insertPartner(deps.db, { ...FRESH_PARTNER });
  await upsertSettings(deps.db, partnerId, {
    username: demo.credentials.username,
    secretCiphertext: deps.secretBox.seal(demo.credentials.secret, partnerId),
    trackingIdentifier: null,
    enabled: true,
    countBasis: 'users',
  });
  const pb = demo.passwordboss.partners[0]!;
  await replaceProductMappings(deps.db, partnerId, pb.products.map((p) => {
    const serviceId = demo.productServices[p.id] ?? null;
    return { productId: p.id, productName: p.name, autotaskServiceId: serviceId, autotaskServiceName: serviceId ? demo.autotask.services.find((s) => s.id === serviceId)!.name : null };
  }));
  await refreshCompanies(deps.db, partnerId, pb.companies);
  // Leave a few companies unmapped so the screen shows both kinds.
  for (const m of demo.mappings.filter((_, i) => i % 10 !== 9)) {
    await saveCompanyMapping(deps.db, partnerId, m.pbCompanyId, m);
  }
  await upsertSchedule(deps.db, partnerId, { frequency: 'weekly', dayOfWeek: 'MONDAY', time: '06:00', timezone: demo.partner.timezone });
  const key = await mintApiKey(deps.db, partnerId, 'demo portal');
  writeFileSync(file, JSON.stringify({ partnerId, apiKey: key.key }, null, 2), { mode: 0o600 });
  return { partnerId, apiKey: key.key, created: true };
}
