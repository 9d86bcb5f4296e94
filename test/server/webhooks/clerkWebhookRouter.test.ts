// POST /api/webhooks/clerk over real HTTP with real svix signatures, one test per row of the
// response policy (docs/webhooks.md), plus the shared fixtures end to end.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TEST_WEBHOOK_SECRET, type RunningApp } from '../../helpers/app.ts';
import { fixture, fixtureText, syncedState, taggedId, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools, getRootPool, testDatabase } from '../../helpers/db.ts';
import { createScratchDatabase } from '../../helpers/scratchDatabase.ts';
import { startTcpProxy } from '../../helpers/tcpProxy.ts';
import pg from 'pg';
import { deliverOverHttp, newSvixId, postWebhook, signDelivery } from '../../helpers/webhooks.ts';

const ALICIA = 'user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv';
const OTHER_SECRET = 'whsec_b3RoZXItc2VjcmV0LW9mLWEtc3RyYW5nZXI=';

let app: RunningApp;
const logLines: string[] = [];
const logRecords = () => logLines.map((line) => JSON.parse(line) as Record<string, any>);

beforeAll(async () => {
  // Verification failures are rate limited per address; these tests make many on purpose.
  app = await startTestApp({ LOG_LEVEL: 'info', WEBHOOK_FAILURE_LIMIT: '1000' }, undefined, { write: (line) => logLines.push(line) });
});
afterAll(async () => {
  await app.close();
  await endTestPools();
});

async function ledger(svixId: string) {
  const { rows } = await getRootPool().query('select outcome, error_code, error_message, payload, duplicates from app_private.webhook_events where svix_id = $1', [svixId]);
  return rows[0];
}

async function userRow(id: string) {
  return (await getRootPool().query('select * from app_public.users where id = $1', [id])).rows[0];
}

describe('verified deliveries (200)', () => {
  it('processed: applies the event, with rows, audit row and ledger row committed before the answer', async () => {
    const tag = uniqueTag();
    const delivery = signDelivery(fixtureText('user.created', tag));
    const response = await postWebhook(app.url, delivery);
    expect(response).toEqual({
      status: 200,
      body: { status: 'processed', svix_id: delivery.svixId, event_type: 'user.created', object_id: taggedId(ALICIA, tag) },
    });
    expect(await userRow(taggedId(ALICIA, tag))).toMatchObject({ email: 'digitalherencia@outlook.com', first_name: 'Admin' });
    expect((await getRootPool().query('select action, svix_id from app_public.audit_logs where entity_id = $1', [taggedId(ALICIA, tag)])).rows)
      .toEqual([{ action: 'created', svix_id: delivery.svixId }]);
    expect(await ledger(delivery.svixId)).toMatchObject({ outcome: 'processed', payload: fixture('user.created', tag) });
  });

  it('duplicate: the same svix-id again (a Svix retry, signed afresh) changes nothing', async () => {
    const tag = uniqueTag();
    const svixId = newSvixId();
    await deliverOverHttp(app.url, fixtureText('user.created', tag), { svixId });
    const again = await deliverOverHttp(app.url, fixtureText('user.created', tag), { svixId });
    expect(again).toEqual({ status: 200, body: expect.objectContaining({ status: 'duplicate', svix_id: svixId, original_status: 'processed' }) });
    expect(await ledger(svixId)).toMatchObject({ duplicates: 1 });
  });

  it('stale: an event older than the stored row is recorded and changes nothing', async () => {
    const tag = uniqueTag();
    await deliverOverHttp(app.url, fixtureText('user.updated', tag));
    const stale = await deliverOverHttp(app.url, fixtureText('user.created', tag));
    expect(stale).toEqual({ status: 200, body: expect.objectContaining({ status: 'stale', event_type: 'user.created' }) });
    expect((await userRow(taggedId(ALICIA, tag))).first_name).toBe('Alicia');
    expect(await ledger(stale.body.svix_id)).toMatchObject({ outcome: 'stale' });
  });

  it('ignored: a type no family models is recorded and answered 2xx', async () => {
    const response = await deliverOverHttp(app.url, fixtureText('variants/unknown.type'));
    expect(response).toEqual({ status: 200, body: expect.objectContaining({ status: 'ignored', event_type: 'something.new' }) });
    expect(await ledger(response.body.svix_id)).toMatchObject({ outcome: 'ignored' });
  });

  it('failed: a permanent processing error is answered 200 with the error, kept in the ledger and logged at error level', async () => {
    const tag = uniqueTag();
    const broken = fixture('organizationMembership.created', tag);
    delete broken.data.organization;
    const response = await deliverOverHttp(app.url, broken);
    expect(response).toEqual({
      status: 200,
      body: expect.objectContaining({ status: 'failed', error: { code: '22023', message: 'data.organization.id: missing (expected an id starting with org_)' } }),
    });
    expect(await ledger(response.body.svix_id)).toMatchObject({ outcome: 'failed', error_code: '22023' });
    const line = logRecords().find((record) => record.svixId === response.body.svix_id);
    expect(line).toMatchObject({ level: 50, outcome: 'failed', error: '22023: data.organization.id: missing (expected an id starting with org_)' });
  });

  it('failed: a verified body that is not JSON is kept in the ledger as a string', async () => {
    const response = await deliverOverHttp(app.url, 'this is not json');
    expect(response).toEqual({ status: 200, body: expect.objectContaining({ status: 'failed', error: { code: '22023', message: 'payload is not a JSON object' } }) });
    expect(await ledger(response.body.svix_id)).toMatchObject({ payload: 'this is not json' });
    const line = logRecords().find((record) => record.svixId === response.body.svix_id);
    expect(line).toMatchObject({ outcome: 'failed', eventType: 'unknown', objectId: null });
  });

  it('failed: verified JSON that is not an event (null, an object without data) is kept in the ledger and answered 200', async () => {
    for (const body of ['null', '{"type":"user.created"}', '[1,2]']) {
      const delivery = signDelivery(body);
      const response = await postWebhook(app.url, delivery);
      expect(response).toEqual({ status: 200, body: expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: '22023' }) }) });
      expect(await ledger(delivery.svixId)).toMatchObject({ outcome: 'failed', payload: JSON.parse(body) });
    }
  });

  it('failed: verified JSON that Postgres cannot store (\\u0000, extreme nesting) is kept in the ledger as the text received', async () => {
    const event = fixture('user.created', uniqueTag());
    const bodies = [
      JSON.stringify(event).replace('"Admin"', '"Ad\\u0000min"'),
      JSON.stringify(event).replace('"public_metadata":{', `"public_metadata":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)},`),
    ];
    for (const body of bodies) {
      const delivery = signDelivery(body);
      const response = await postWebhook(app.url, delivery);
      expect(response).toEqual({ status: 200, body: expect.objectContaining({ status: 'failed', error: { code: '22023', message: 'payload is not a JSON object' } }) });
      expect((await ledger(delivery.svixId)).payload).toBe(body);
    }
    expect(await userRow(event.data.id)).toBeUndefined();
  });

  it('accepts Standard Webhooks headers (webhook-id/-timestamp/-signature)', async () => {
    const response = await deliverOverHttp(app.url, fixtureText('user.created', uniqueTag()), { headerStyle: 'webhook' });
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('processed');
  });

  it('accepts any of several signatures, and any of several configured secrets (rotation)', async () => {
    const rotating = await startTestApp({ CLERK_WEBHOOK_SIGNING_SECRET: `${OTHER_SECRET} ${TEST_WEBHOOK_SECRET}` });
    try {
      for (const secret of [OTHER_SECRET, TEST_WEBHOOK_SECRET]) {
        const response = await deliverOverHttp(rotating.url, fixtureText('user.created', uniqueTag()), { secret });
        expect(response.status).toBe(200);
      }
      const delivery = signDelivery(fixtureText('user.created', uniqueTag()));
      delivery.headers['svix-signature'] = `v1,${Buffer.from('not the signature').toString('base64')} ${delivery.headers['svix-signature']}`;
      expect((await postWebhook(rotating.url, delivery)).status).toBe(200);
    } finally {
      await rotating.close();
    }
  });
});

const BAD_SVIX_ID = 'the svix-id (or webhook-id) header must be at most 256 characters, without whitespace or control characters';

describe('refused deliveries write nothing', () => {
  const refused: Array<[string, (delivery: ReturnType<typeof signDelivery>) => void, string]> = [
    ['without svix-id', (d) => delete d.headers['svix-id'], 'missing svix-id, svix-timestamp or svix-signature header (or their webhook-* equivalents)'],
    ['without svix-timestamp', (d) => delete d.headers['svix-timestamp'], 'missing svix-id, svix-timestamp or svix-signature header (or their webhook-* equivalents)'],
    ['without svix-signature', (d) => delete d.headers['svix-signature'], 'missing svix-id, svix-timestamp or svix-signature header (or their webhook-* equivalents)'],
    ['with a timestamp that is not a number', (d) => (d.headers['svix-timestamp'] = 'yesterday'), 'the svix-timestamp (or webhook-timestamp) header is not one unix timestamp'],
    ['with its timestamp header sent twice', (d) => (d.headers['svix-timestamp'] = `${d.headers['svix-timestamp']}, 1`), 'the svix-timestamp (or webhook-timestamp) header is not one unix timestamp'],
    ['mixing svix-* and webhook-* headers', (d) => { d.headers['webhook-timestamp'] = d.headers['svix-timestamp']; delete d.headers['svix-timestamp']; }, 'missing svix-id, svix-timestamp or svix-signature header (or their webhook-* equivalents)'],
    // Complete webhook-* headers do not make up for a stray svix-* one: the svix family was started.
    ...(['id', 'timestamp', 'signature'] as const).map((part): [string, (d: ReturnType<typeof signDelivery>) => void, string] => [
      `with complete webhook-* headers and a stray svix-${part}`,
      (d) => {
        for (const name of ['id', 'timestamp', 'signature']) {
          d.headers[`webhook-${name}`] = d.headers[`svix-${name}`];
          if (name !== part) delete d.headers[`svix-${name}`];
        }
      },
      'missing svix-id, svix-timestamp or svix-signature header (or their webhook-* equivalents)',
    ]),
    ['signed with another secret', (d) => Object.assign(d, signDelivery(d.body, { secret: OTHER_SECRET, svixId: d.svixId })), 'no signature matches any configured signing secret'],
    ['whose body was re-serialised after signing', (d) => (d.body = JSON.stringify(JSON.parse(d.body), null, 2)), 'no signature matches any configured signing secret'],
    ['whose svix-id was changed after signing', (d) => (d.headers['svix-id'] = newSvixId()), 'no signature matches any configured signing secret'],
    ['signed more than 5 minutes ago', (d) => Object.assign(d, signDelivery(d.body, { svixId: d.svixId, timestamp: new Date(Date.now() - 6 * 60_000) })), 'the signed attempt time is more than 5 minutes in the past'],
    ['signed more than 5 minutes ahead', (d) => Object.assign(d, signDelivery(d.body, { svixId: d.svixId, timestamp: new Date(Date.now() + 6 * 60_000) })), 'the signed attempt time is more than 5 minutes in the future'],
    // Validly signed, but the id is no ledger key.
    ['whose signed svix-id is 257 characters long', (d) => Object.assign(d, signDelivery(d.body, { svixId: `msg_${'a'.repeat(253)}` })), BAD_SVIX_ID],
    ['whose signed svix-id holds a space', (d) => Object.assign(d, signDelivery(d.body, { svixId: 'msg_2a b' })), BAD_SVIX_ID],
    ['whose signed svix-id holds a tab', (d) => Object.assign(d, signDelivery(d.body, { svixId: 'msg_2a\tb' })), BAD_SVIX_ID],
    // A C1 control character arrives as the latin-1 byte it was sent as.
    ['whose signed svix-id holds a C1 control character', (d) => Object.assign(d, signDelivery(d.body, { svixId: 'msg_2a\u0085b' })), BAD_SVIX_ID],
  ];

  it.each(refused)('400 for a delivery %s', async (_case, tamper, error) => {
    const tag = uniqueTag();
    const delivery = signDelivery(fixtureText('user.created', tag));
    tamper(delivery);
    expect(await postWebhook(app.url, delivery)).toEqual({ status: 400, body: { error } });
    expect(await ledger(delivery.svixId)).toBeUndefined();
    expect(await userRow(taggedId(ALICIA, tag))).toBeUndefined();
  });

  it('accepts a signed svix-id of exactly 256 characters', async () => {
    expect((await deliverOverHttp(app.url, fixtureText('user.created', uniqueTag()), { svixId: `msg_${'b'.repeat(252)}` })).status).toBe(200);
  });

  it('accepts attempts within the 5-minute tolerance on either side', async () => {
    for (const offset of [-4 * 60_000, 4 * 60_000]) {
      const response = await deliverOverHttp(app.url, fixtureText('user.created', uniqueTag()), { timestamp: new Date(Date.now() + offset) });
      expect(response.status).toBe(200);
    }
  });

  it('400 with a JSON error for a body claiming a compression it does not have', async () => {
    const delivery = signDelivery(fixtureText('user.created', uniqueTag()));
    delivery.headers['content-encoding'] = 'gzip';
    expect(await postWebhook(app.url, delivery)).toEqual({ status: 400, body: { error: 'Bad Request' } });
    expect(await ledger(delivery.svixId)).toBeUndefined();
  });

  it('415 with a JSON error for a content encoding the route does not know', async () => {
    const delivery = signDelivery(fixtureText('user.created', uniqueTag()));
    delivery.headers['content-encoding'] = 'compress';
    expect(await postWebhook(app.url, delivery)).toEqual({ status: 415, body: { error: 'unsupported content encoding "compress"' } });
    expect(await ledger(delivery.svixId)).toBeUndefined();
  });

  it('413 with a JSON error for a body over the size limit', async () => {
    const small = await startTestApp({ WEBHOOK_BODY_LIMIT: '1kb' });
    try {
      const event = fixture('user.created', uniqueTag());
      expect(JSON.stringify(event).length).toBeGreaterThan(1024);
      const response = await deliverOverHttp(small.url, event);
      expect(response).toEqual({ status: 413, body: { error: 'body larger than the 1024-byte limit' } });
      expect(await userRow(event.data.id)).toBeUndefined();
    } finally {
      await small.close();
    }
  });

});
describe('the signing secrets', () => {
  it('refuses to start a route that could verify nothing: no signing secret configured', async () => {
    await expect(startTestApp({ CLERK_WEBHOOK_SIGNING_SECRET: ' ' })).rejects.toThrow('no Clerk webhook signing secret configured');
  });

  it('counts a malformed timestamp and a malformed svix-id as malformed headers, not as bad signatures', async () => {
    const fresh = await startTestApp();
    try {
      const garbled = signDelivery(fixtureText('user.created', uniqueTag()));
      garbled.headers['svix-timestamp'] = 'yesterday';
      const spaced = signDelivery(fixtureText('user.created', uniqueTag()), { svixId: 'msg_2a b' });
      for (const delivery of [garbled, spaced]) expect((await postWebhook(fresh.url, delivery)).status).toBe(400);
      const text = await (await fetch(`${fresh.url}/metrics`)).text();
      expect(text).toMatch(/^clerk_webhook_verification_failures_total\{reason="malformed_headers"\} 2$/m);
      expect(text).toMatch(/^clerk_webhook_verification_failures_total\{reason="bad_signature"\} 0$/m);
    } finally {
      await fresh.close();
    }
  });
});

describe('transient database trouble (503, so Svix retries)', () => {
  it('answers 503 while the database is unreachable, and processes the retry once it is back', async () => {
    const proxy = await startTcpProxy(testDatabase.authUrl());
    const captured: string[] = [];
    const behindProxy = await startTestApp({ LOG_LEVEL: 'info' }, { ownerUrl: proxy.via(testDatabase.ownerUrl()), authUrl: proxy.via(testDatabase.authUrl()) }, { write: (line) => captured.push(line) });
    try {
      const tag = uniqueTag();
      const svixId = newSvixId();
      await proxy.cut();
      const down = await deliverOverHttp(behindProxy.url, fixtureText('user.created', tag), { svixId });
      expect(down).toEqual({ status: 503, body: { error: 'database temporarily unavailable, retry later' } });
      expect(await ledger(svixId)).toBeUndefined();
      // The line carries the driver's own words for the failure.
      const line = captured.map((text) => JSON.parse(text)).find((record) => record.svixId === svixId);
      expect(line).toMatchObject({ outcome: 'unavailable', eventType: 'user.created', res: { statusCode: 503 }, error: expect.stringMatching(/ECONNREFUSED|ECONNRESET|Connection terminated/) });
      await proxy.restore();
      const retried = await deliverOverHttp(behindProxy.url, fixtureText('user.created', tag), { svixId });
      expect(retried).toEqual({ status: 200, body: expect.objectContaining({ status: 'processed' }) });
    } finally {
      await behindProxy.close();
      await proxy.close();
    }
  });

  it('answers 503 for a transient SQL error (a cancelled statement), keeping nothing, and 200 on the retry', async () => {
    const tag = uniqueTag();
    await deliverOverHttp(app.url, fixtureText('user.created', tag));
    const locker = await getRootPool().connect();
    const svixId = newSvixId();
    try {
      await locker.query('begin');
      await locker.query('select 1 from app_public.users where id = $1 for update', [taggedId(ALICIA, tag)]);
      const pending = deliverOverHttp(app.url, fixtureText('user.updated', tag), { svixId });
      // Wait until the delivery waits on a lock (the row lock, or whatever another test holds on
      // the shared database first), then cancel it as an operator would. The delivery's backend
      // is the one holding the advisory lock on its svix-id (app_private.claim_webhook_key). On a
      // busy machine it can take seconds to get there: up to 20 s.
      let cancelled = false;
      for (let attempt = 0; attempt < 400 && !cancelled; attempt += 1) {
        const { rows } = await locker.query(
          `select pg_cancel_backend(l.pid) as cancelled
             from pg_locks as l join pg_stat_activity as a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and l.objsubid = 1
              and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)
              and a.wait_event_type = 'Lock'`,
          [svixId],
        );
        cancelled = rows.some((row) => row.cancelled);
        if (!cancelled) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(cancelled).toBe(true);
      expect(await pending).toEqual({ status: 503, body: { error: 'database temporarily unavailable, retry later' } });
    } finally {
      await locker.query('rollback');
      locker.release();
    }
    expect(await ledger(svixId)).toBeUndefined();
    const retried = await deliverOverHttp(app.url, fixtureText('user.updated', tag), { svixId });
    expect(retried.body.status).toBe('processed');
  });
});

describe('how a failed database call is answered (its SQLSTATE decides)', () => {
  // A database of its own, so that breaking it on purpose touches no other test file.
  it('503 for a lock timeout (55P03): the row stays locked past lock_timeout, Svix retries, the retry is processed', async () => {
    const scratch = await createScratchDatabase('lock_timeout');
    const root = new pg.Client({ connectionString: scratch.rootUrl });
    await root.connect();
    try {
      // New connections of this database give up on a lock after 200 ms instead of waiting.
      await root.query(`alter database ${root.escapeIdentifier(new URL(scratch.rootUrl).pathname.slice(1))} set lock_timeout = '200ms'`);
      const scratchApp = await startTestApp({}, { ownerUrl: scratch.ownerUrl, authUrl: scratch.authUrl });
      try {
        const tag = uniqueTag();
        expect((await deliverOverHttp(scratchApp.url, fixtureText('user.created', tag))).body.status).toBe('processed');
        const svixId = newSvixId();
        await root.query('begin');
        await root.query('select 1 from app_public.users where id = $1 for update', [taggedId(ALICIA, tag)]);
        const locked = await deliverOverHttp(scratchApp.url, fixtureText('user.updated', tag), { svixId });
        await root.query('rollback');
        expect(locked).toEqual({ status: 503, body: { error: 'database temporarily unavailable, retry later' } });
        expect((await root.query('select 1 from app_private.webhook_events where svix_id = $1', [svixId])).rowCount).toBe(0);
        const retried = await deliverOverHttp(scratchApp.url, fixtureText('user.updated', tag), { svixId });
        expect(retried).toEqual({ status: 200, body: expect.objectContaining({ status: 'processed' }) });
      } finally {
        await scratchApp.close();
      }
    } finally {
      await root.end();
      await scratch.drop();
    }
  });

  it('500 for a bug (42501, the webhook role may not call the function): not retried as if the database were down', async () => {
    const scratch = await createScratchDatabase('bug');
    const root = new pg.Client({ connectionString: scratch.rootUrl });
    await root.connect();
    try {
      await root.query(`do $$
        declare f regprocedure;
        begin
          for f in select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                    where n.nspname = 'app_private' and p.proname = 'handle_clerk_event' loop
            execute format('revoke execute on function %s from public, clerk_webhook', f);
          end loop;
        end $$`);
      const captured: string[] = [];
      const scratchApp = await startTestApp({ LOG_LEVEL: 'info' }, { ownerUrl: scratch.ownerUrl, authUrl: scratch.authUrl }, { write: (line) => captured.push(line) });
      try {
        const delivery = signDelivery(fixtureText('user.created', uniqueTag()));
        const response = await postWebhook(scratchApp.url, delivery);
        expect(response).toEqual({ status: 500, body: { error: 'internal error' } });
        expect((await root.query('select count(*)::int as n from app_private.webhook_events')).rows[0].n).toBe(0);
        // The operator sees a bug: an error line with the database's own message, counted under outcome error.
        const line = captured.map((text) => JSON.parse(text)).find((record) => record.svixId === delivery.svixId);
        expect(line).toMatchObject({ level: 50, msg: 'delivery error', outcome: 'error', eventType: 'user.created', objectId: JSON.parse(delivery.body).data.id, res: { statusCode: 500 }, error: expect.stringMatching(/permission denied/) });
        // A plain 500 answer, not a thrown error: no stack invented by the logging library.
        expect(line).not.toHaveProperty('err');
        // Neither the type nor the object id is taken from a body where it is not a string.
        const odd = [
          { body: JSON.stringify({ type: 7, data: { id: 42 } }), eventType: 'unknown' },
          { body: JSON.stringify({ type: 'user.created' }), eventType: 'user.created' },
          { body: 'not json', eventType: 'unknown' },
        ].map(({ body, eventType }) => ({ delivery: signDelivery(body), eventType }));
        for (const { delivery } of odd) expect(await postWebhook(scratchApp.url, delivery)).toEqual({ status: 500, body: { error: 'internal error' } });
        const records = captured.map((text) => JSON.parse(text));
        for (const { delivery, eventType } of odd) {
          expect(records.find((record) => record.svixId === delivery.svixId)).toMatchObject({ outcome: 'error', eventType, objectId: null });
        }
        const metrics = await (await fetch(`${scratchApp.url}/metrics`)).text();
        expect(metrics).toMatch(/^clerk_webhook_deliveries_total\{event_type="user\.created",outcome="error"\} 2$/m);
        expect(metrics).toMatch(/^clerk_webhook_requests_total\{status="500"\} 4$/m);
      } finally {
        await scratchApp.close();
      }
    } finally {
      await root.end();
      await scratch.drop();
    }
  });
});

describe('the delivery log line', () => {
  it('of a refused delivery is a warning that says why, with no delivery fields', async () => {
    const delivery = signDelivery(fixtureText('user.updated', uniqueTag()), { secret: OTHER_SECRET });
    const requestId = `refused-${uniqueTag()}`;
    delivery.headers['x-request-id'] = requestId;
    expect((await postWebhook(app.url, delivery)).status).toBe(400);
    const line = logRecords().find((record) => record.req?.id === requestId);
    expect(line).toMatchObject({ level: 40, msg: 'POST /api/webhooks/clerk 400', verificationFailure: 'bad_signature', res: { statusCode: 400 } });
    expect(line).not.toHaveProperty('svixId');
  });

  it('names svix-id, type, object id, outcome and duration, and nothing secret or personal', async () => {
    const tag = uniqueTag();
    const delivery = signDelivery(fixtureText('user.updated', tag));
    await postWebhook(app.url, delivery);
    const lines = logLines.filter((line) => line.includes(delivery.svixId));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 30, msg: 'delivery processed', svixId: delivery.svixId, eventType: 'user.updated', objectId: taggedId(ALICIA, tag), outcome: 'processed', durationMs: expect.any(Number),
    });
    for (const secret of [delivery.headers['svix-signature'], TEST_WEBHOOK_SECRET, 'digitalherencia', 'Torres', 'ACCT-', 'sales-demo']) {
      expect(lines[0]).not.toContain(secret);
    }
  });
});

describe('the shared fixtures end to end', () => {
  const FIXTURES = path.join(process.cwd(), 'test', 'fixtures', 'clerk');
  const names = [
    ...readdirSync(FIXTURES).filter((name) => name.endsWith('.json')),
    ...readdirSync(path.join(FIXTURES, 'variants')).map((name) => `variants/${name}`),
  ].map((name) => name.replace(/\.json$/, ''));
  const MODELLED = /^(user|organization|organizationMembership)\./;

  it('apply once; again, in reverse and interleaved with deletes they change nothing and never answer 5xx', async () => {
    const tag = uniqueTag();
    const inTimeOrder = names
      .map((name) => ({ name, text: fixtureText(name, tag), event: fixture(name, tag) }))
      .sort((a, b) => (a.event.timestamp ?? Infinity) - (b.event.timestamp ?? Infinity));

    const first = [];
    for (const item of inTimeOrder) {
      const delivery = signDelivery(item.text);
      const response = await postWebhook(app.url, delivery);
      expect(response.status).toBe(200);
      first.push({ ...item, delivery, status: response.body.status });
    }
    // subscriptionItem.freeTrialEnding is a reminder repeating the item's unchanged version: stale.
    const REPEATS = ['subscriptionItem.freeTrialEnding'];
    for (const item of first) {
      const expected = REPEATS.includes(item.name) ? 'stale' : MODELLED.test(item.event.type) ? 'processed' : expect.stringMatching(/^(processed|ignored)$/);
      expect([item.name, item.status]).toEqual([item.name, expected]);
    }

    const state = await syncedState(getRootPool(), tag);
    const auditCount = async () => (await getRootPool().query(`select count(*)::int as n from app_public.audit_logs where entity_id like '%' || $1`, [tag])).rows[0].n;
    const audits = await auditCount();
    // The story as the fixtures tell it: Alicia deleted and scrubbed, the story org deleted with its memberships.
    expect(state.users.find((user) => user.id === taggedId(ALICIA, tag))).toMatchObject({ email: null, first_name: null, deleted_at: expect.any(String) });
    expect(state.organization_memberships.length).toBeGreaterThanOrEqual(4);
    const LONE_STAR = 'org_2yP8QIDQjL2cqHsktMDVJPhQk3M';
    expect(state.organization_memberships.filter((membership) => membership.deleted_at === null).map((membership) => membership.organization_id))
      .toEqual([taggedId(LONE_STAR, tag)]);
    // No organization event of Lone Star exists: its row is the version its membership embeds.
    expect(state.organizations.find((organization) => organization.id === taggedId(LONE_STAR, tag))).toMatchObject({
      name: 'Lone Star Haulers', clerk_updated_at: '2025-06-12T10:40:29.317999+00:00', deleted_at: null,
    });
    expect(audits).toBeGreaterThan(0);

    // Svix redelivers: the same svix-ids.
    for (const item of first) {
      const response = await postWebhook(app.url, signDelivery(item.text, { svixId: item.delivery.svixId }));
      expect([item.name, response.status, response.body.status]).toEqual([item.name, 200, 'duplicate']);
    }
    // Re-sent under new svix-ids, newest first, then shuffled among the deletes.
    const seededShuffle = <T>(items: T[]) => items.map((item, index) => ({ item, key: (index * 7919) % 101 })).sort((a, b) => a.key - b.key).map(({ item }) => item);
    for (const order of [[...first].reverse(), seededShuffle(first)]) {
      for (const item of order) {
        const response = await deliverOverHttp(app.url, item.text);
        expect([item.name, response.status]).toEqual([item.name, 200]);
        expect(['stale', 'ignored']).toContain(response.body.status);
      }
    }
    expect(await syncedState(getRootPool(), tag)).toEqual(state);
    expect(await auditCount()).toBe(audits);
  });
});
