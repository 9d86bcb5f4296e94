// Signing deliveries the way Svix signs them, for everything here that sends webhooks to the
// receiver: the test helpers, the simulated Svix sender, the benchmarks' load workers and the
// `webhooks send` command. The signature is HMAC-SHA256, keyed by the base64 part of the
// `whsec_` secret, over `${svix-id}.${svix-timestamp}.${body}`, base64-encoded and prefixed `v1,`.
// The receiver verifies with the svix library, so every delivery sent here also checks this
// signer against Svix's own code.
import { createHmac } from 'node:crypto';

export interface SignatureOptions {
  /** The attempt time (svix-timestamp), or the header's exact text (malformed ones included); now by default. */
  timestamp?: Date | string;
  /** svix-* (Clerk's) or webhook-* (Standard Webhooks) header names. */
  headerStyle?: 'svix' | 'webhook';
}

/** The three signature headers of one attempt of one message. */
export function svixSignatureHeaders(secret: string, svixId: string, body: string | Uint8Array, options: SignatureOptions = {}): Record<string, string> {
  const { timestamp = new Date() } = options;
  const seconds = typeof timestamp === 'string' ? timestamp : String(Math.floor(timestamp.getTime() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${svixId}.${seconds}.`).update(body).digest('base64');
  const prefix = options.headerStyle === 'webhook' ? 'webhook' : 'svix';
  return { [`${prefix}-id`]: svixId, [`${prefix}-timestamp`]: seconds, [`${prefix}-signature`]: `v1,${signature}` };
}
