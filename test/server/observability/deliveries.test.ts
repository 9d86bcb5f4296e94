// What an operator sees of real deliveries: one log line each (svix-id, type, object id,
// outcome, duration) with no personal data or signature, and the delivery metrics by label.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { fixtureText, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools } from '../../helpers/db.ts';
import { postWebhook, signDelivery } from '../../helpers/webhooks.ts';

let app: RunningApp;
const lines: string[] = [];
const records = () => lines.map((line) => JSON.parse(line) as Record<string, any>);
const tag = uniqueTag();
const userCreated = signDelivery(fixtureText('user.created', tag));
const userUpdated = signDelivery(fixtureText('user.updated', tag));
const smsCreated = signDelivery(fixtureText('sms.created', tag));
const unknownType = signDelivery(fixtureText('variants/unknown.type'));
let scraped: string;

beforeAll(async () => {
  app = await startTestApp({ LOG_LEVEL: 'info' }, undefined, { write: (line) => lines.push(line) });
  for (const delivery of [userCreated, userUpdated, userUpdated, smsCreated, unknownType]) {
    expect((await postWebhook(app.url, delivery)).status).toBe(200);
  }
  const tampered = { ...userCreated, body: userCreated.body.replace('Admin', 'Evil') };
  expect((await postWebhook(app.url, tampered)).status).toBe(400);
  const unsigned = { body: userCreated.body, headers: { 'content-type': 'application/json' } };
  expect((await postWebhook(app.url, unsigned)).status).toBe(400);
  scraped = await (await fetch(`${app.url}/metrics`)).text();
});
afterAll(async () => {
  await app.close();
  await endTestPools();
});

describe('delivery log lines', () => {
  it('writes exactly one line per delivery with svix-id, type, object id, outcome and duration', () => {
    const forDelivery = (svixId: string) => records().filter((record) => JSON.stringify(record).includes(svixId));
    expect(forDelivery(userCreated.svixId)).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'delivery processed',
        svixId: userCreated.svixId,
        eventType: 'user.created',
        objectId: `user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv_${tag}`,
        outcome: 'processed',
        durationMs: expect.any(Number),
        req: expect.objectContaining({ method: 'POST', url: '/api/webhooks/clerk', id: expect.any(String) }),
        res: { statusCode: 200 },
      }),
    ]);
    expect(forDelivery(userUpdated.svixId).map((record) => record.outcome)).toEqual(['processed', 'duplicate']);
    expect(forDelivery(unknownType.svixId).map((record) => record.outcome)).toEqual(['ignored']);
  });

  it('logs refusals at warn with their reason and no delivery fields', () => {
    const refused = records().filter((record) => record.verificationFailure);
    expect(refused.map((record) => [record.level, record.verificationFailure, record.res.statusCode])).toEqual([
      [40, 'bad_signature', 400],
      [40, 'missing_headers', 400],
    ]);
  });

  it('never writes the payload\'s emails, phone numbers, one-time codes or the signatures', () => {
    const text = lines.join('');
    // The lines are there (one per delivery, each naming its svix-id), so what follows is not vacuous.
    for (const delivery of [userCreated, userUpdated, smsCreated]) expect(text).toContain(delivery.svixId);
    const signatures = [userCreated, userUpdated, smsCreated].map((delivery) => delivery.headers['svix-signature'].slice(3));
    for (const secret of ['digitalherencia@outlook.com', 'Alicia', '739105', ...signatures]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/\+1\d{10}/);
  });
});

describe('delivery metrics', () => {
  it('counts deliveries by event type and outcome', () => {
    expect(scraped).toMatch(/^clerk_webhook_deliveries_total\{event_type="user\.created",outcome="processed"\} 1$/m);
    expect(scraped).toMatch(/^clerk_webhook_deliveries_total\{event_type="user\.updated",outcome="processed"\} 1$/m);
    expect(scraped).toMatch(/^clerk_webhook_deliveries_total\{event_type="user\.updated",outcome="duplicate"\} 1$/m);
    expect(scraped).toMatch(/^clerk_webhook_deliveries_total\{event_type="something\.new",outcome="ignored"\} 1$/m);
  });

  it('has a latency histogram by outcome whose counts match the deliveries', () => {
    expect(scraped).toMatch(/^# TYPE clerk_webhook_processing_duration_seconds histogram$/m);
    const byOutcome = (pattern: RegExp) => {
      const totals: Record<string, number> = {};
      for (const [, outcome, value] of scraped.matchAll(pattern)) totals[outcome] = (totals[outcome] ?? 0) + Number(value);
      return totals;
    };
    const delivered = byOutcome(/^clerk_webhook_deliveries_total\{event_type="[^"]+",outcome="(\w+)"\} (\d+)$/gm);
    const timedAll = byOutcome(/^clerk_webhook_processing_duration_seconds_count\{outcome="(\w+)"\} (\d+)$/gm);
    // Every outcome is exported from the start (at 0), so rate() sees the first observation.
    expect(Object.keys(timedAll).sort()).toEqual(['duplicate', 'error', 'failed', 'ignored', 'processed', 'stale', 'unavailable']);
    const observed = (totals: Record<string, number>) => Object.fromEntries(Object.entries(totals).filter(([, count]) => count > 0));
    const timed = observed(timedAll);
    const infBucket = observed(byOutcome(/^clerk_webhook_processing_duration_seconds_bucket\{le="\+Inf",outcome="(\w+)"\} (\d+)$/gm));
    expect(timed).toEqual(delivered);
    expect(infBucket).toEqual(delivered);
    expect(Object.values(timed).reduce((sum, count) => sum + count, 0)).toBe(5);
  });

  it('counts verification failures by reason', () => {
    expect(scraped).toMatch(/^clerk_webhook_verification_failures_total\{reason="bad_signature"\} 1$/m);
    expect(scraped).toMatch(/^clerk_webhook_verification_failures_total\{reason="missing_headers"\} 1$/m);
  });
});

describe('a delivery the database could not take', () => {
  it('is one error line with outcome unavailable and the reason, counted under that outcome', async () => {
    const deadDatabase = 'postgres://nobody:nothing@127.0.0.1:9/nowhere';
    const captured: string[] = [];
    const down = await startTestApp({ LOG_LEVEL: 'info' }, { ownerUrl: deadDatabase, authUrl: deadDatabase }, { write: (line) => captured.push(line) });
    try {
      const delivery = signDelivery(fixtureText('user.created', uniqueTag()));
      expect((await postWebhook(down.url, delivery)).status).toBe(503);
      const line = captured.map((text) => JSON.parse(text)).find((record) => record.svixId === delivery.svixId);
      expect(line).toMatchObject({ level: 50, msg: 'delivery unavailable', eventType: 'user.created', outcome: 'unavailable', res: { statusCode: 503 }, error: expect.stringMatching(/ECONNREFUSED/) });
      expect(line).not.toHaveProperty('err');
      const text = await (await fetch(`${down.url}/metrics`)).text();
      expect(text).toMatch(/^clerk_webhook_deliveries_total\{event_type="user\.created",outcome="unavailable"\} 1$/m);
    } finally {
      await down.close();
    }
  });
});
