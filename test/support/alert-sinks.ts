/** A real SMTP server and a real HTTP listener on loopback, recording what the alerts deliver. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { setUpPartner } from './partner-setup.ts';
import { startStack, type Stack } from './stack.ts';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface ReceivedHook {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

export interface AlertSinks {
  smtpUrl: string;
  webhookUrl: string;
  mails: ReceivedMail[];
  hooks: ReceivedHook[];
  /** Answer the next `n` webhook calls with this status (then 204 again). */
  failNextHooks(n: number, status: number): void;
  close(): Promise<void>;
}

export async function startAlertSinks(): Promise<AlertSinks> {
  const mails: ReceivedMail[] = [];
  const hooks: ReceivedHook[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  let failing = { left: 0, status: 500 };
  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      if (failing.left > 0) {
        failing.left--;
        res.statusCode = failing.status;
      } else res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const httpPort = (http.address() as AddressInfo).port;

  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    webhookUrl: `http://127.0.0.1:${httpPort}/hooks/pb`,
    mails,
    hooks,
    failNextHooks(n, status) {
      failing = { left: n, status };
    },
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The stack with alerts going to these sinks, and the demo partner set up (a broken mapping included). */
export async function startStackAlertingTo(sinks: AlertSinks): Promise<Stack> {
  const stack = await startStack('pglite', { notify: { smtpUrl: sinks.smtpUrl, from: 'Alerts <alerts@pbsync.example>', portalUrl: 'https://portal.example/autotask', allowPrivateWebhooks: true } });
  await setUpPartner(stack, { includeBroken: true });
  return stack;
}
