/**
 * PUT /product-mappings keeps the products a request does not list. Two saves that each change one
 * product, at the same time on PostgreSQL, must both stick, and neither may answer 500.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { setUpPartner } from '../support/partner-setup.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('postgres', { demo: { companies: 5 } });
  await setUpPartner(stack);
});
afterAll(async () => {
  await stack?.close();
});

it('two partial saves at once both keep their change', async () => {
  const url = `/v1/partners/${stack.partnerId}/product-mappings`;
  const put = (mappings: unknown) => stack.app.inject({ method: 'PUT', url, headers: bearer(stack.adminKey), payload: { mappings } });
  const lost: string[] = [];
  for (let i = 0; i < 5; i++) {
    // Back to both billed, then two tabs each stop billing one product.
    expect((await put([{ productId: 'pb-standard', autotaskServiceId: 301 }, { productId: 'pb-advanced', autotaskServiceId: 302 }])).statusCode).toBe(200);
    const [a, b] = await Promise.all([put([{ productId: 'pb-standard', autotaskServiceId: null }]), put([{ productId: 'pb-advanced', autotaskServiceId: null }])]);
    expect([a.statusCode, b.statusCode], `${a.body} ${b.body}`).toEqual([200, 200]);
    const items = (await stack.app.inject({ method: 'GET', url, headers: bearer(stack.adminKey) })).json().items as Array<{ productId: string; notBilled: boolean }>;
    for (const p of items) if (!p.notBilled) lost.push(`round ${i}: ${p.productId} billed again`);
  }
  expect(lost).toEqual([]);
});
