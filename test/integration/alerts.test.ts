/**
 * Alerts end to end: a real SMTP server and a real HTTP listener receive what a run's notify
 * activity sends. A failing run sends one e-mail and one signed webhook; the first ok run after it
 * sends the recovery; a plain ok run sends nothing; a webhook that fails is retried by Temporal
 * without sending the e-mail twice.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startStack, type Stack } from '../support/stack.ts';
import { syncNow } from '../support/partner-setup.ts';
import { startAlertSinks, startStackAlertingTo, type AlertSinks } from '../support/alert-sinks.ts';

describe('alerts: e-mail and signed webhook, once per run', () => {
  let stack: Stack;
  let sinks: AlertSinks;
  let secret: string;
  const admin = () => bearer(stack.adminKey);

  beforeAll(async () => {
    sinks = await startAlertSinks();
    stack = await startStackAlertingTo(sinks);
    const res = await stack.app.inject({
      method: 'PUT', url: `/v1/partners/${stack.partnerId}/notifications`, headers: admin(),
      payload: { emails: ['Billing@MSP.example', 'ops@msp.example'], webhookUrl: sinks.webhookUrl, on: ['error', 'warning', 'held', 'recovered'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    secret = res.json().webhookSecret;
    expect(secret).toMatch(/^whsec_[\w-]{43}$/);
  });
  afterAll(async () => {
    await stack?.close();
    await sinks?.close();
  });

  const verify = (hook: AlertSinks['hooks'][number]) => {
    const expected = `sha256=${createHmac('sha256', secret).update(hook.raw).digest('hex')}`;
    return hook.headers['x-pb-signature'] === expected;
  };

  it('answers the signing secret once and keeps it while the URL stays', async () => {
    const read = await stack.app.inject({ method: 'GET', url: `/v1/partners/${stack.partnerId}/notifications`, headers: admin() });
    expect(read.json()).toEqual({ emails: ['billing@msp.example', 'ops@msp.example'], webhookUrl: sinks.webhookUrl, on: ['error', 'warning', 'held', 'recovered'], hasWebhookSecret: true });
    expect(read.body).not.toContain('whsec_');
    const again = await stack.app.inject({
      method: 'PUT', url: `/v1/partners/${stack.partnerId}/notifications`, headers: admin(),
      payload: { emails: ['billing@msp.example', 'ops@msp.example'], webhookUrl: sinks.webhookUrl, on: ['error', 'warning', 'held', 'recovered'] },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().webhookSecret).toBeUndefined();
  });

  it('a run with failed companies sends exactly one e-mail and one correctly signed webhook', async () => {
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run.status).toBe('warning');
    expect(sinks.mails).toHaveLength(1);
    expect(sinks.mails[0]!.to.sort()).toEqual(['billing@msp.example', 'ops@msp.example']);
    expect(sinks.mails[0]!.raw).toMatch(/Subject: Autotask sync finished with errors/);
    expect(sinks.hooks).toHaveLength(1);
    const hook = sinks.hooks[0]!;
    expect(verify(hook)).toBe(true);
    expect(JSON.parse(hook.raw)).toEqual({ event: 'warning', partnerId: stack.partnerId, runId: run.id, status: 'warning', summary: expect.stringContaining('2 failed'), portalUrl: 'https://portal.example/autotask', reminder: false });
    // Neither channel carries a secret.
    const creds = stack.sims.demo.credentials;
    for (const text of [sinks.mails[0]!.raw, hook.raw]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(creds.secret);
    }
  });

  it('a webhook that fails is retried by Temporal, and the e-mail is not sent twice', async () => {
    sinks.failNextHooks(1, 503);
    const [mailsBefore, hooksBefore] = [sinks.mails.length, sinks.hooks.length];
    const { run } = await syncNow(stack, stack.partnerId);
    expect(run.status).toBe('warning');
    expect(sinks.mails.length - mailsBefore).toBe(1);
    const calls = sinks.hooks.slice(hooksBefore);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => JSON.parse(c.raw).runId)).toEqual([run.id, run.id]);
    expect(calls.every(verify)).toBe(true);
  });

  it('the first ok run after a failing one sends the recovery; the next ok run sends nothing', async () => {
    const { endedContract, otherTypeOnly } = stack.sims.demo.notable;
    for (const id of [endedContract, otherTypeOnly]) {
      const res = await stack.app.inject({ method: 'DELETE', url: `/v1/partners/${stack.partnerId}/company-mappings/${id}`, headers: admin() });
      expect(res.statusCode, res.body).toBe(200);
    }
    const [mailsBefore, hooksBefore] = [sinks.mails.length, sinks.hooks.length];
    const recovered = await syncNow(stack, stack.partnerId);
    expect(recovered.run.status).toBe('ok');
    expect(sinks.mails.length - mailsBefore).toBe(1);
    expect(sinks.mails.at(-1)!.raw).toMatch(/Subject: Autotask sync is working again/);
    expect(sinks.hooks.length - hooksBefore).toBe(1);
    expect(JSON.parse(sinks.hooks.at(-1)!.raw)).toMatchObject({ event: 'recovered', runId: recovered.run.id, status: 'ok' });
    expect(verify(sinks.hooks.at(-1)!)).toBe(true);

    const plain = await syncNow(stack, stack.partnerId);
    expect(plain.run.status).toBe('ok');
    expect(sinks.mails.length - mailsBefore).toBe(1);
    expect(sinks.hooks.length - hooksBefore).toBe(1);
  });

  it('the run carries its outcome in Temporal: SyncStatus and current details', async () => {
    const { started } = await syncNow(stack, stack.partnerId);
    const description = await stack.client.workflow.getHandle(started.workflowId, started.runId).describe();
    expect(description.typedSearchAttributes.getAll().find((p) => p.key.name === 'SyncStatus')?.value).toBe('ok');
  });

  it('refuses a webhook on a private address unless allowed, and another partner\'s settings', async () => {
    const strict = await startStack('pglite', { notify: { from: 'a@b.example', allowPrivateWebhooks: false } });
    try {
      await strict.app.inject({ method: 'POST', url: '/v1/partners', headers: bearer(strict.adminKey), payload: { id: strict.partnerId, name: 'Strict' } });
      for (const webhookUrl of ['http://127.0.0.1:9/x', 'http://[::1]/x', 'http://169.254.169.254/latest', 'http://10.1.2.3/', 'http://localhost:8080/']) {
        const res = await strict.app.inject({ method: 'PUT', url: `/v1/partners/${strict.partnerId}/notifications`, headers: bearer(strict.adminKey), payload: { emails: [], webhookUrl, on: ['error'] } });
        expect(res.statusCode, webhookUrl).toBe(422);
        expect(res.json().error.code).toBe('webhook_private_address');
      }
    } finally {
      await strict.close();
    }
    const key = await stack.app.inject({ method: 'POST', url: `/v1/partners/${stack.partnerId}/api-keys`, headers: admin(), payload: {} });
    const other = await stack.app.inject({ method: 'GET', url: '/v1/partners/someone-else/notifications', headers: bearer(key.json().key) });
    expect(other.statusCode).toBe(404);
  });
});
