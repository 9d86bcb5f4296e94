// Svix signature verification over the raw request bytes, with every configured secret (a
// rotation has two valid at once). Only the bytes Clerk signed verify: never re-serialised JSON.
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook, WebhookVerificationError } from 'svix';

export type SignatureCheck =
  /** `payload`: the body as svix parsed it once the signature matched; absent when the body is not JSON. */
  | { verified: true; svixId: string; payload?: unknown }
  /** `error` is svix's own error (for metric labels), `message` a clear sentence for the sender. */
  | { verified: false; error: WebhookVerificationError; message: string };

export type ClerkSignatureVerifier = (rawBody: Buffer, headers: IncomingHttpHeaders) => SignatureCheck;

// Clerk sends svix-*; Standard Webhooks senders webhook-*. One delivery uses one family: headers
// are never mixed across families.
const FAMILIES = ['svix', 'webhook'] as const;
const UNIX_SECONDS = /^\d{1,12}$/;
// The svix-id is the ledger key and goes into logs: Svix's are short printable tokens (msg_…).
const MAX_SVIX_ID_LENGTH = 256;
const WHITESPACE_OR_CONTROL = /[\s\x00-\x1f\x7f-\x9f]/;

// svix's messages; all but the last depend on the headers and the clock, not on the secret.
const NO_MATCH = 'No matching signature found';
const MESSAGES: Record<string, string> = {
  'Missing required headers': 'missing svix-id, svix-timestamp or svix-signature header (or their webhook-* equivalents)',
  'Invalid Signature Headers': 'the svix-timestamp (or webhook-timestamp) header is not one unix timestamp',
  'Invalid Message Id': `the svix-id (or webhook-id) header must be at most ${MAX_SVIX_ID_LENGTH} characters, without whitespace or control characters`,
  'Message timestamp too old': 'the signed attempt time is more than 5 minutes in the past',
  'Message timestamp too new': 'the signed attempt time is more than 5 minutes in the future',
  [NO_MATCH]: 'no signature matches any configured signing secret',
};

export function createClerkSignatureVerifier(secrets: string[]): ClerkSignatureVerifier {
  if (!secrets.length) throw new Error('no Clerk webhook signing secret configured');
  const webhooks = secrets.map((secret) => new Webhook(secret));

  return (rawBody, headers) => {
    const family = FAMILIES.find((prefix) => [`${prefix}-id`, `${prefix}-timestamp`, `${prefix}-signature`].some((name) => name in headers)) ?? 'svix';
    const svixHeaders: Record<string, string> = {};
    for (const part of ['id', 'timestamp', 'signature']) {
      const value = headers[`${family}-${part}`];
      if (typeof value === 'string' && value) svixHeaders[`webhook-${part}`] = value;
    }
    // Node joins a repeated header with ", ", which svix would read as its first number.
    if (svixHeaders['webhook-timestamp'] && !UNIX_SECONDS.test(svixHeaders['webhook-timestamp'])) {
      return { verified: false, error: new WebhookVerificationError('Invalid Signature Headers'), message: MESSAGES['Invalid Signature Headers'] };
    }
    const svixId = svixHeaders['webhook-id'] ?? '';
    if (svixId.length > MAX_SVIX_ID_LENGTH || WHITESPACE_OR_CONTROL.test(svixId)) {
      // svix's error for malformed headers, so the refusal is counted as malformed_headers.
      return { verified: false, error: new WebhookVerificationError('Invalid Signature Headers'), message: MESSAGES['Invalid Message Id'] };
    }
    let lastError: WebhookVerificationError | undefined;
    for (const webhook of webhooks) {
      try {
        return { verified: true, svixId, payload: webhook.verify(rawBody, svixHeaders) };
      } catch (error) {
        // svix parses the body only after a signature matched: a verified body that is not JSON.
        if (error instanceof SyntaxError) return { verified: true, svixId };
        if (!(error instanceof WebhookVerificationError)) throw error;
        lastError = error;
        if (error.message !== NO_MATCH) break;
      }
    }
    return { verified: false, error: lastError!, message: MESSAGES[lastError!.message] ?? lastError!.message };
  };
}
