// Repeated failed verifications from one address turn into 429 with Retry-After, while verified
// deliveries from that same address keep passing, and other addresses are unaffected.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { fixtureText, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools } from '../../helpers/db.ts';
import { postWebhook, signDelivery } from '../../helpers/webhooks.ts';

const WRONG_SECRET = 'whsec_b3RoZXItc2VjcmV0LWZvci1yb3RhdGlvbi0xMjM0';

let behindProxy: RunningApp;
let direct: RunningApp;

beforeAll(async () => {
  [behindProxy, direct] = await Promise.all([
    startTestApp({ TRUST_PROXY: 'loopback', WEBHOOK_FAILURE_LIMIT: '3', WEBHOOK_FAILURE_WINDOW_SECONDS: '60' }),
    startTestApp({ WEBHOOK_FAILURE_LIMIT: '2', WEBHOOK_FAILURE_WINDOW_SECONDS: '60' }),
  ]);
});
afterAll(async () => {
  await Promise.all([behindProxy.close(), direct.close()]);
  await endTestPools();
});

const from = (address: string, delivery: ReturnType<typeof signDelivery>) => ({ ...delivery, headers: { ...delivery.headers, 'x-forwarded-for': address } });
const forged = () => signDelivery(fixtureText('variants/unknown.type'), { secret: WRONG_SECRET });
const genuine = () => signDelivery(fixtureText('user.created', uniqueTag()));

describe('the failed-verification limiter', () => {
  it('answers 429 with Retry-After once an address failed too often, yet still accepts its verified deliveries', async () => {
    const responses = [];
    for (let i = 0; i < 5; i++) responses.push(await postWebhook(behindProxy.url, from('203.0.113.7', forged())));
    expect(responses.map((response) => response.status)).toEqual([400, 400, 400, 429, 429]);
    expect(responses[0].body).toEqual({ error: expect.stringMatching(/signature/i) });

    // The window (60 s) opened with the first failure, a moment ago: most of it is still to wait.
    const limited = await fetch(`${behindProxy.url}/api/webhooks/clerk`, { method: 'POST', ...from('203.0.113.7', forged()) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(45);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    for (let i = 0; i < 3; i++) {
      const verified = await postWebhook(behindProxy.url, from('203.0.113.7', genuine()));
      expect(verified).toMatchObject({ status: 200, body: { status: 'processed' } });
    }
    expect((await postWebhook(behindProxy.url, from('203.0.113.7', forged()))).status).toBe(429);
    expect((await postWebhook(behindProxy.url, from('198.51.100.20', forged()))).status).toBe(400);
  });

  it('charges nothing for verified deliveries: after a burst of them, the first forged requests are still 400, not 429', async () => {
    const address = '203.0.113.99';
    for (let i = 0; i < 6; i++) {
      expect(await postWebhook(behindProxy.url, from(address, genuine()))).toMatchObject({ status: 200, body: { status: 'processed' } });
    }
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postWebhook(behindProxy.url, from(address, forged()))).status);
    // The limit is 3 failures: a limiter that had also counted the 6 verified ones refuses at once.
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it('counts by the socket address when no proxy is trusted, so a forged X-Forwarded-For does not escape', async () => {
    const statuses = [];
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']) {
      statuses.push((await postWebhook(direct.url, from(address, forged()))).status);
    }
    expect(statuses).toEqual([400, 400, 429, 429]);
    expect((await postWebhook(direct.url, genuine())).status).toBe(200);
  });

  it('counts refusals and rate-limited answers in the metrics', async () => {
    const text = await (await fetch(`${direct.url}/metrics`)).text();
    expect(text).toMatch(/^clerk_webhook_verification_failures_total\{reason="bad_signature"\} 4$/m);
    expect(text).toMatch(/^clerk_webhook_rate_limited_total 2$/m);
  });

  it('counts each refusal under its reason and each 429, in the same test that sends them', async () => {
    const app = await startTestApp({ WEBHOOK_FAILURE_LIMIT: '4', WEBHOOK_FAILURE_WINDOW_SECONDS: '60' });
    try {
      const body = fixtureText('user.created', uniqueTag());
      const unsigned = { body, headers: { 'content-type': 'application/json' } };
      const late = signDelivery(body, { timestamp: new Date(Date.now() - 6 * 60_000) });
      const garbled = signDelivery(body);
      garbled.headers['svix-timestamp'] = 'yesterday';
      const refusals = [];
      for (const delivery of [unsigned, late, garbled, forged(), forged()]) refusals.push(await postWebhook(app.url, delivery));
      expect(refusals.map((response) => response.status)).toEqual([400, 400, 400, 400, 429]);
      expect(refusals[4].body).toEqual({ error: 'too many requests from this address failed verification; retry later' });
      // Bodies refused before verification count under their own reasons and cost the address nothing.
      const corrupt = signDelivery(body);
      corrupt.headers['content-encoding'] = 'gzip';
      const unknown = signDelivery(body);
      unknown.headers['content-encoding'] = 'compress';
      const oversized = signDelivery(JSON.stringify({ type: 'user.created', data: { id: 'user_x', padding: 'x'.repeat(2_000_000) } }));
      const unread = [];
      for (const delivery of [corrupt, unknown, oversized]) unread.push((await postWebhook(app.url, delivery)).status);
      expect(unread).toEqual([400, 415, 413]);
      const text = await (await fetch(`${app.url}/metrics`)).text();
      const failures = Object.fromEntries([...text.matchAll(/^clerk_webhook_verification_failures_total\{reason="(\w+)"\} (\d+)$/gm)].map(([, reason, n]) => [reason, Number(n)]));
      // The 429 was a bad signature too: it counts under its reason and as rate limited.
      expect(failures).toEqual({ missing_headers: 1, bad_signature: 2, timestamp_out_of_tolerance: 1, malformed_headers: 1, body_too_large: 1, malformed_body: 2 });
      expect(text).toMatch(/^clerk_webhook_rate_limited_total 1$/m);
    } finally {
      await app.close();
    }
  });
});
