/** The budget rules the workflow paces with (sync/budget.ts, docs/design.md rule 10). */
import { describe, expect, it } from 'vitest';
import { allowedRequests, pauseFor, requestsFor, roomLeft } from '../../sync/budget.ts';

const action = (from: number, to: number) => ({ serviceId: 301, serviceName: 'Standard', productIds: ['pb-standard'], from, to, reason: 'count' as const });

describe('Autotask budget rules', () => {
  it('counts two requests per changed service and none for a service already right', () => {
    expect(requestsFor({ actions: [] })).toBe(0);
    expect(requestsFor({ actions: [action(3, 3)] })).toBe(0);
    expect(requestsFor({ actions: [action(3, 5), action(0, 2), action(4, 4)] })).toBe(4);
  });

  it('allows the share of the threshold, less the window\'s usage and what admitted companies may still send', () => {
    expect(allowedRequests(10_000, 0.5)).toBe(5_000);
    expect(allowedRequests(333, 0.5)).toBe(166);
    const reading = { used: 4_000, allowed: 5_000, windowMs: 3_600_000 };
    expect(roomLeft(reading, 0)).toBe(1_000);
    expect(roomLeft(reading, 1_200)).toBe(-200);
  });

  it('reads the usage again after a twelfth of the window', () => {
    expect(pauseFor({ used: 0, allowed: 1, windowMs: 3_600_000 })).toBe(300_000);
    expect(pauseFor({ used: 0, allowed: 1, windowMs: 6_000 })).toBe(500);
  });
});
