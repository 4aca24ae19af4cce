/**
 * E-mail through nodemailer over SMTP_URL (`smtp://` or `smtps://`, credentials in the URL). One
 * transport per URL, reused. One message per run to all the partner's addresses.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { NotificationError } from './notification-error.ts';

const transports = new Map<string, Transporter>();

function transportFor(smtpUrl: string): Transporter {
  let transport = transports.get(smtpUrl);
  if (!transport) {
    transport = nodemailer.createTransport(smtpUrl);
    transports.set(smtpUrl, transport);
  }
  return transport;
}

export async function sendMail(options: { smtpUrl: string; from: string; to: string[]; subject: string; text: string }): Promise<void> {
  try {
    await transportFor(options.smtpUrl).sendMail({ from: options.from, to: options.to, subject: options.subject, text: options.text });
  } catch (err) {
    const responseCode = (err as { responseCode?: number }).responseCode;
    // A 5xx SMTP reply is a refusal (bad address, relay denied) that a retry will not change.
    const permanent = typeof responseCode === 'number' && responseCode >= 500;
    throw new NotificationError('email', !permanent, `the mail server refused the message${responseCode ? ` (${responseCode})` : ''}: ${(err as Error).message.replace(/\S+:\/\/\S+/g, '[url]').slice(0, 200)}`);
  }
}

/** Closes the transports (tests; the worker's shutdown). */
export function closeMailers(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}
