/** CI proves the server it builds (runtime/temporal-server-version.ts); compose must deploy that same one. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TEMPORAL_SERVER_VERSION } from '../../runtime/temporal-server-version.ts';

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, { image?: string }> };
const serverImages = /^temporalio\/(server|auto-setup|admin-tools):/;

describe('the pinned Temporal server version', () => {
  it('is the tag of every Temporal server image in docker-compose.yml', () => {
    const images = Object.values(compose.services).map((s) => s.image).filter((image): image is string => !!image && serverImages.test(image));
    expect(images.length, 'docker-compose.yml runs a Temporal server image').toBeGreaterThan(0);
    for (const image of images) expect(image, `${image} in docker-compose.yml`).toBe(`${image.split(':')[0]}:${TEMPORAL_SERVER_VERSION}`);
  });
});
