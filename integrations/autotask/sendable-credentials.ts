/**
 * Autotask takes the credentials as HTTP headers. A header value cannot carry line breaks or
 * other control characters, nor characters outside Latin-1 (undici refuses them before anything
 * is sent); such a secret used to surface as "Autotask unreachable", which sent people looking
 * at their network. Checked up front instead, with an answer that names the field.
 */
import { IntegrationError } from '../errors.ts';

// Tab, printable ASCII and Latin-1 (what an HTTP/1.1 header value may carry).
const SENDABLE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function assertSendableCredentials(credentials: { username: string; secret: string; trackingIdentifier: string }): void {
  const fields = [
    ['secret', credentials.secret],
    ['username', credentials.username],
    ['tracking identifier', credentials.trackingIdentifier],
  ] as const;
  for (const [name, value] of fields) {
    if (SENDABLE.test(value)) continue;
    throw new IntegrationError(
      'autotask',
      'authentication',
      `The ${name} contains characters Autotask cannot receive (a line break, a control character, or a character outside Latin-1 such as an emoji); check for a stray character from copying and enter it again`,
      { authPart: 'invalid_characters' }
    );
  }
}
