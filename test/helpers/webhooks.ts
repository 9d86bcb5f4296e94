// "A signed delivery": a body signed with a real svix signature, as Svix sends it, and posting it
// to a running app (test/helpers/app.ts).
import { randomUUID } from 'node:crypto';
import { svixSignatureHeaders, type SignatureOptions } from '../../support/svixSignature.ts';
import { TEST_WEBHOOK_SECRET } from './app.ts';

export interface SignedDelivery {
  svixId: string;
  body: string;
  headers: Record<string, string>;
}

export interface SignOptions extends SignatureOptions {
  secret?: string;
  svixId?: string;
}

export function newSvixId(): string {
  return `msg_${randomUUID().replace(/-/g, '')}`;
}

/** Signs the exact bytes of `body` (a string is sent as is; anything else is JSON-encoded). */
export function signDelivery(body: unknown, options: SignOptions = {}): SignedDelivery {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const svixId = options.svixId ?? newSvixId();
  return {
    svixId,
    body: text,
    headers: { 'content-type': 'application/json', ...svixSignatureHeaders(options.secret ?? TEST_WEBHOOK_SECRET, svixId, text, options) },
  };
}

export interface WebhookResponse {
  status: number;
  body: any;
}

export async function postWebhook(appUrl: string, delivery: { body: string | Uint8Array; headers: Record<string, string> }): Promise<WebhookResponse> {
  const response = await fetch(`${appUrl}/api/webhooks/clerk`, { method: 'POST', headers: delivery.headers, body: delivery.body as BodyInit });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the assertion message
  }
  return { status: response.status, body };
}

/** Signs and posts in one go. */
export function deliverOverHttp(appUrl: string, body: unknown, options: SignOptions = {}): Promise<WebhookResponse> {
  return postWebhook(appUrl, signDelivery(body, options));
}
