import { describe, expect, it } from 'vitest';
import { composeMessage, daysLeftInMonth, eventForRun, isReminderDue, notificationSettingsSchema } from '../../sync/notifications.ts';
import { isPublicAddress } from '../../integrations/notify/public-address.ts';
import { signature } from '../../integrations/notify/webhook.ts';

describe('which runs alert', () => {
  it('error, warning and held alert whatever came before', () => {
    for (const status of ['error', 'warning', 'held'] as const) {
      for (const previous of [null, 'ok', 'error']) expect(eventForRun(status, previous)).toBe(status);
    }
  });
  it('ok alerts only as the first ok after a run that was not ok', () => {
    expect(eventForRun('ok', 'error')).toBe('recovered');
    expect(eventForRun('ok', 'warning')).toBe('recovered');
    expect(eventForRun('ok', 'failed')).toBe('recovered');
    expect(eventForRun('ok', 'ok')).toBeNull();
    expect(eventForRun('ok', null)).toBeNull();
  });
  it('skipped and failed runs never alert by themselves', () => {
    expect(eventForRun('skipped', 'error')).toBeNull();
    expect(eventForRun('failed', 'ok')).toBeNull();
  });
});

describe('the month-end reminder', () => {
  it('counts the days left in the partner\'s timezone', () => {
    // 2026-11-28 02:00 UTC is still the 27th in New York: 4 days left (27, 28, 29, 30).
    expect(daysLeftInMonth(new Date('2026-11-28T02:00:00Z'), 'America/New_York')).toBe(4);
    expect(daysLeftInMonth(new Date('2026-11-28T02:00:00Z'), 'Europe/Berlin')).toBe(3);
    expect(daysLeftInMonth(new Date('2026-02-28T12:00:00Z'), 'UTC')).toBe(1);
  });
  it('is due for a failing run within 3 days of the end, never for a recovery', () => {
    const late = new Date('2026-11-29T12:00:00Z');
    expect(isReminderDue('error', late, 'UTC')).toBe(true);
    expect(isReminderDue('warning', late, 'UTC')).toBe(true);
    expect(isReminderDue('recovered', late, 'UTC')).toBe(false);
    expect(isReminderDue('error', new Date('2026-11-27T12:00:00Z'), 'UTC')).toBe(false);
  });
  it('says so in the message', () => {
    const run = { partnerName: 'Northwind', status: 'error', total: 3, done: 3, failed: 3, unitsChanged: 0, billingMonth: '2026-10', detail: 'credentials rejected' };
    expect(composeMessage('error', run, 2).subject).toBe('Reminder: Autotask sync failed: Northwind');
    expect(composeMessage('error', run, 2).summary).toMatch(/^Reminder: 2 days left .* 3 failed, 0 units changed\. credentials rejected$/);
    expect(composeMessage('error', run, null).summary).not.toMatch(/Reminder/);
  });
});

describe('webhook safety', () => {
  it('signs the raw body with HMAC-SHA256', () => {
    // RFC 4231 test case 2.
    expect(signature('what do ya want for nothing?', 'Jefe')).toBe('sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
  it('treats loopback, private, link-local and mapped addresses as not public', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:a00:1', '64:ff9b::a00:1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['93.184.216.34', '2606:4700:4700::1111', '8.8.8.8', '::ffff:8.8.8.8']) expect(isPublicAddress(a), a).toBe(true);
  });
  it('treats IPv6 forms that carry an IPv4 address, and retired local ranges, as not public', () => {
    // 6to4 (2002:7f00:1:: is 127.0.0.1), Teredo, IPv4-translated (::ffff:0:a.b.c.d), the 6to4
    // relay anycast, site-local, discard-only: a host with a tunnel or relay reaches the IPv4
    // address inside, and none of them is where a partner's webhook lives.
    for (const a of ['2002:7f00:1::', '2002:a9fe:a9fe::1', '2001:0:4136:e378:8000:63bf:80ff:fffe', '::ffff:0:7f00:1', '192.88.99.1', 'fec0::1', '100::1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });
});

describe('the webhook URL a partner saves', () => {
  it('refuses credentials in the URL: the URL is answered by GET and kept unsealed, unlike the signing secret', () => {
    const parse = (webhookUrl: string) => notificationSettingsSchema.safeParse({ emails: [], webhookUrl, on: [] }).success;
    expect(parse('https://hooks.msp.example/pb')).toBe(true);
    for (const url of ['https://user:pw@hooks.msp.example/pb', 'https://token@hooks.msp.example/pb', 'https://:pw@hooks.msp.example/pb']) expect(parse(url), url).toBe(false);
  });

  it('answers a string that is no URL at all with an issue, not an exception (the fuzzer found a 500 here)', () => {
    for (const url of ['Æ\u0089Y\udae4\udd67w¿¿¿', 'not a url', '', 'http://']) {
      const result = notificationSettingsSchema.safeParse({ emails: [], webhookUrl: url, on: [] });
      expect(result.success, url).toBe(false);
    }
  });
});
