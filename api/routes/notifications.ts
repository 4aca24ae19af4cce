/**
 * A partner's alert channels (docs/design.md rule 14): e-mail addresses, a signed webhook, and
 * which run outcomes to hear about. The webhook's signing secret is answered once, by the PUT
 * that sets a new webhook URL (or asks for a new secret); it is stored sealed for the partner.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { findNotificationSettings, saveNotificationSettings } from '../../db/repositories/notifications.ts';
import type { SecretBox } from '../../db/secret-box.ts';
import { assertPublicWebhookHost, PrivateAddressError } from '../../integrations/notify/public-address.ts';
import { notificationEvents, notificationSettingsSchema } from '../../sync/notifications.ts';
import { errorBodySchema, unprocessable } from '../errors.ts';
import { requirePartner } from '../plugins/auth.ts';
import { partnerParams } from '../schemas.ts';

export interface NotificationRouteDeps {
  db: Db;
  secretBox: SecretBox;
  allowPrivateWebhooks: boolean;
}

const example = { emails: ['billing@msp.example'], webhookUrl: 'https://hooks.msp.example/pb-autotask', on: ['error', 'warning', 'recovered'], hasWebhookSecret: true };

const settingsView = z
  .object({
    emails: z.array(z.string()),
    webhookUrl: z.string().nullable(),
    on: z.array(z.enum(notificationEvents)),
    hasWebhookSecret: z.boolean().describe('a signing secret is stored for the webhook (never shown again)'),
  })
  .meta({ id: 'NotificationSettings' });
export type NotificationSettingsView = z.output<typeof settingsView>;

const putBody = notificationSettingsSchema
  .extend({
    emails: notificationSettingsSchema.shape.emails.transform((list) => [...new Set(list.map((e) => e.toLowerCase()))]),
    on: notificationSettingsSchema.shape.on.transform((list) => [...new Set(list)]),
    rotateWebhookSecret: z.boolean().default(false).describe('issue a new signing secret for the same webhook URL'),
  })
  .strict();

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 422: errorBodySchema };

const notificationRoutes: FastifyPluginAsyncZod<NotificationRouteDeps> = async (app, { db, secretBox, allowPrivateWebhooks }) => {
  app.get('/v1/partners/:pid/notifications', {
    schema: {
      tags: ['notifications'],
      operationId: 'getNotifications',
      summary: 'Where run alerts go, and for which outcomes',
      description: 'A partner without saved settings gets empty channels and no events. The webhook signing secret is never answered here.',
      params: partnerParams,
      response: { 200: settingsView.meta({ examples: [example] }), ...errors },
    },
  }, async (request) => {
    await requirePartner(db, request, request.params.pid);
    const row = await findNotificationSettings(db, request.params.pid);
    return { emails: row?.emails ?? [], webhookUrl: row?.webhookUrl ?? null, on: row?.events ?? [], hasWebhookSecret: Boolean(row?.webhookSecretCiphertext) };
  });

  app.put('/v1/partners/:pid/notifications', {
    schema: {
      tags: ['notifications'],
      operationId: 'putNotifications',
      summary: 'Set where run alerts go; a new webhook answers its signing secret once',
      description:
        'Alerts go out once per run: on `error`, `warning` and `held`, and `recovered` for the first `ok` run after one that was not; a failing run within 3 days of the month\'s end says so (a reminder). ' +
        'E-mail goes to every address in one message. The webhook receives `POST {event, partnerId, runId, status, summary, portalUrl, reminder}` with `X-PB-Signature: sha256=<hex HMAC-SHA256 of the raw body under the signing secret>`. ' +
        'Setting a new `webhookUrl` (or `rotateWebhookSecret: true`) answers the new secret as `webhookSecret`, this once; keeping the URL keeps the secret; `null` removes the webhook and its secret. ' +
        'A webhook on a loopback, private or link-local address is refused (422 `webhook_private_address`).',
      params: partnerParams,
      body: putBody.meta({ examples: [{ emails: ['billing@msp.example'], webhookUrl: 'https://hooks.msp.example/pb-autotask', on: ['error', 'warning', 'recovered'] }] }),
      response: {
        200: settingsView
          .extend({ webhookSecret: z.string().optional().describe('only when a new secret was issued: store it now, it is not shown again') })
          .meta({ examples: [{ ...example, webhookSecret: 'whsec_3q2-7wEXAMPLEONLYx2JrQ9wR0u5yYh2ZKs7n1mX8qLk' }] }),
        ...errors,
      },
    },
  }, async (request) => {
    const { pid } = request.params;
    await requirePartner(db, request, pid);
    const body = request.body;
    if (body.webhookUrl && !allowPrivateWebhooks) {
      try {
        await assertPublicWebhookHost(new URL(body.webhookUrl));
      } catch (err) {
        if (err instanceof PrivateAddressError) throw unprocessable('webhook_private_address', err.message);
        throw err;
      }
    }
    const current = await findNotificationSettings(db, pid);
    const keepSecret = body.webhookUrl !== null && body.webhookUrl === current?.webhookUrl && Boolean(current?.webhookSecretCiphertext) && !body.rotateWebhookSecret;
    const newSecret = body.webhookUrl !== null && !keepSecret ? `whsec_${randomBytes(32).toString('base64url')}` : undefined;
    const row = await saveNotificationSettings(db, pid, {
      emails: body.emails,
      webhookUrl: body.webhookUrl,
      webhookSecretCiphertext: newSecret ? secretBox.seal(newSecret, pid, 'webhook-secret') : keepSecret ? current!.webhookSecretCiphertext : null,
      events: body.on,
    });
    return { emails: row.emails, webhookUrl: row.webhookUrl, on: row.events, hasWebhookSecret: Boolean(row.webhookSecretCiphertext), ...(newSecret ? { webhookSecret: newSecret } : {}) };
  });
};

export default notificationRoutes;
