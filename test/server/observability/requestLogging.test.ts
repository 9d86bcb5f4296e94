// The request log as an operator reads it: one JSON line per request with its id, level by
// outcome, and nothing secret or personal in it, whatever the request carried.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, scrubSecrets } from '../../../server/logger.ts';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { endTestPools } from '../../helpers/db.ts';

const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18yd0JoIn0.eyJzdWIiOiJ1c2VyXzJ4dEtPbU9LRlpjWVE4a0JHenhoUGxyZ0JKdiJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const EMAIL = 'alicia.torres@testtrucking.com';
const PHONE = '+15125550143';

let app: RunningApp;
const lines: string[] = [];
const logged = () => lines.join('');
const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  app = await startTestApp({ LOG_LEVEL: 'debug' }, undefined, { write: (line) => lines.push(line) });
});
afterAll(async () => {
  await app.close();
  await endTestPools();
});

describe('request logging', () => {
  it('writes one line per request with a request id that is also answered, and keeps a sane upstream id', async () => {
    lines.length = 0;
    const own = await fetch(`${app.url}/healthz`);
    const upstream = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'edge-4f2a.17' } });
    const hostile = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'x'.repeat(300) } });
    expect(own.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(upstream.headers.get('x-request-id')).toBe('edge-4f2a.17');
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const completed = records().filter((record) => (record.req as { url?: string } | undefined)?.url === '/healthz');
    expect(completed.map((record) => (record.req as { id: string }).id)).toEqual([
      own.headers.get('x-request-id'),
      'edge-4f2a.17',
      hostile.headers.get('x-request-id'),
    ]);
    expect(completed[0]).toMatchObject({ level: 20, res: { statusCode: 200 }, durationMs: expect.any(Number) });
  });

  it('logs the probes at debug, whatever their query string, and other successes at info', async () => {
    lines.length = 0;
    await fetch(`${app.url}/healthz?verbose=1`);
    await fetch(`${app.url}/readyz`);
    await fetch(`${app.url}/metrics`);
    await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}' });
    expect(records().map((record) => [record.level, record.msg])).toEqual([
      [20, 'GET /healthz 200'],
      [20, 'GET /readyz 200'],
      [20, 'GET /metrics 200'],
      [30, 'POST /graphql 200'],
    ]);
  });

  it('logs client errors at warn and names method, path and status', async () => {
    lines.length = 0;
    const unknown = await fetch(`${app.url}/no-such-route`, { method: 'POST' });
    expect(records()).toEqual([expect.objectContaining({ level: 40, msg: 'POST /no-such-route 404', res: { statusCode: 404 } })]);
    // Unknown routes answer JSON like every other route, not Express's HTML page.
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await unknown.json()).toEqual({ error: 'no route for POST /no-such-route' });
  });

  it('says on the line of a refused session token why it was refused', async () => {
    lines.length = 0;
    const refused = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${JWT}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ currentUserId }' }),
    });
    expect(refused.status).toBe(401);
    const { extensions } = (await refused.json()).errors[0];
    const line = records().find((record) => (record.req as { url?: string } | undefined)?.url === '/graphql');
    expect(line).toMatchObject({ level: 40, res: { statusCode: 401 }, refusal: expect.stringMatching(new RegExp(`^${extensions.reason}: session token rejected: `)) });
    const malformed = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { authorization: 'Basic abc', 'content-type': 'application/json' }, body: '{}' });
    expect(malformed.status).toBe(401);
    expect(records().at(-1)).toMatchObject({ refusal: expect.stringMatching(/^malformed-authorization-header: /) });
  });

  it('never writes tokens, signatures, cookies, emails or phone numbers a request carried', async () => {
    lines.length = 0;
    const query = new URLSearchParams({ email: EMAIL, phone: PHONE, token: JWT });
    await fetch(`${app.url}/healthz?${query}`, {
      headers: { authorization: `Bearer ${JWT}`, cookie: `__session=${JWT}`, 'svix-signature': SIGNATURE, 'x-user-email': EMAIL },
    });
    await fetch(`${app.url}/lookup/${encodeURIComponent(EMAIL)}/${encodeURIComponent(PHONE)}`);
    await fetch(`${app.url}/lookup/${EMAIL}/${PHONE}`);
    expect(lines.length).toBe(3);
    const text = logged();
    for (const secret of [JWT, JWT.split('.')[1], SIGNATURE.slice(3), EMAIL, encodeURIComponent(EMAIL), PHONE, encodeURIComponent(PHONE)]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[email]');
    expect(text).toContain('[phone]');
  });
});

describe('the logger itself', () => {
  it('scrubs what call sites put in messages, errors and fields', () => {
    const captured: string[] = [];
    const logger = createLogger({ LOG_LEVEL: 'info' }, { write: (line) => captured.push(line) });
    const databaseError = new Error(`duplicate key value violates unique constraint: Key (email)=(${EMAIL}) already exists`);
    logger.error({ err: databaseError, url: 'postgres://clerk_pg_sync:s3cr3t-pass@db.internal:5432/app' }, `sync failed for ${EMAIL} / ${PHONE}`);
    logger.warn({ secret: 'whsec_dGVzdC1zZWNyZXQtZm9yLWNsZXJrLXBnLXN5bmM=', headers: { authorization: `Bearer ${JWT}` }, payload: { first_name: 'Alicia' } }, 'with structured secrets');
    logger.info(`a key sk_live_abcDEF1234567890 and whsec_b3RoZXItc2VjcmV0LWZvci1yb3RhdGlvbi0xMjM0 in a message`);
    const text = captured.join('');
    for (const secret of [EMAIL, PHONE, 's3cr3t-pass', 'dGVzdC1zZWNyZXQ', JWT, 'Alicia', 'sk_live_abc', 'b3RoZXItc2VjcmV0']) {
      expect(text).not.toContain(secret);
    }
    expect(captured).toHaveLength(3);
    expect(JSON.parse(captured[0])).toMatchObject({ msg: 'sync failed for [email] / [phone]', url: 'postgres://clerk_pg_sync:[redacted]@db.internal:5432/app' });
  });

  it('leaves ordinary values alone', () => {
    const ordinary = '{"svixId":"msg_2Lh9KRb6pWLSbOaJcLgSbvGD4Yn","eventType":"user.created","objectId":"user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv","time":1748751899130,"at":"2025-06-01T12:00:00+02:00"}';
    expect(scrubSecrets(ordinary)).toBe(ordinary);
  });
});
