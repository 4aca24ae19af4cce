/**
 * What Autotask sends is parsed at the boundary: units are int32 there, and a value past it would
 * overflow our result columns later, where a result that cannot be recorded is retried for ever
 * and its run never finishes. Refused as a malformed answer instead.
 */
import { describe, expect, it } from 'vitest';
import { contractServiceUnitSchema } from '../../integrations/autotask/schemas.ts';

const unit = { id: 1, contractID: 5001, contractServiceID: 7, serviceID: 301, startDate: '2026-11-01T00:00:00', endDate: null, units: 12, price: 39 };

describe('Autotask answers', () => {
  it('take units up to int32', () => {
    expect(contractServiceUnitSchema.parse({ ...unit, units: 2_147_483_647 }).units).toBe(2_147_483_647);
    expect(contractServiceUnitSchema.parse({ ...unit, units: -2_147_483_648 }).units).toBe(-2_147_483_648);
  });

  it('refuse units past int32', () => {
    expect(contractServiceUnitSchema.safeParse({ ...unit, units: 3_000_000_000 }).success).toBe(false);
    expect(contractServiceUnitSchema.safeParse({ ...unit, units: -2_147_483_649 }).success).toBe(false);
  });
});
