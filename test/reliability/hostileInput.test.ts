// More than a thousand requests nobody should send: missing, malformed and duplicated signature
// headers, stale and future attempts, bodies too large, not UTF-8, not JSON, nested beyond reason,
// and validly signed events with a wrong type or an SQL-looking string in every field. None may get
// a 5xx, nothing unverified may leave a row, and the receiver must still work afterwards.
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { startTestApp, TEST_WEBHOOK_SECRET, type RunningApp } from '../helpers/app.ts';
import { membershipEvent, organizationDeletedEvent, organizationEvent, userDeletedEvent, userEvent } from '../../support/clerkDeliveries.ts';
import { svixSignatureHeaders } from '../../support/svixSignature.ts';
import { endTestPools, getRootPool } from '../helpers/db.ts';

jest.setTimeout(150_000);

const PATH = '/api/webhooks/clerk';
/** Svix's headers for one attempt, `at` in seconds (the svix-timestamp). */
const sign = (secret: string, svixId: string, body: string, at?: number) =>
  svixSignatureHeaders(secret, svixId, body, at === undefined ? {} : { timestamp: new Date(at * 1000) });
/** In every id and svix-id of the unverified requests, to find any row they might have left. */
const UNVERIFIED = `hu${randomBytes(4).toString('hex')}`;
const VERIFIED = `hv${randomBytes(4).toString('hex')}`;

interface HostileRequest {
  name: string;
  verified: boolean;
  svixId?: string;
  headers: [string, string][];
  body: Buffer;
  method?: string;
}

interface Answer {
  request: HostileRequest;
  status: number;
}

let app: RunningApp;
let port: number;
beforeAll(async () => {
  app = await startTestApp();
  port = Number(new URL(app.url).port);
});
afterAll(async () => {
  await app?.close();
  await endTestPools();
});

/** One request written byte for byte (duplicated headers and invalid bytes included); resolves with the status. */
function send(request: HostileRequest): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const head = [
      `${request.method ?? 'POST'} ${PATH} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Connection: close',
      `Content-Length: ${request.body.length}`,
      ...request.headers.map(([name, value]) => `${name}: ${value}`),
      '',
      '',
    ].join('\r\n');
    let received = '';
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      resolve(match ? Number(match[1]) : 0);
    };
    socket.setTimeout(20_000, settle);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (/^HTTP\/1\.1 \d{3}/.test(received)) settle();
    });
    socket.on('error', settle);
    socket.on('close', settle);
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), request.body]));
  });
}

const signedHeaders = (svixId: string, body: Buffer | string, at?: number): [string, string][] =>
  Object.entries(sign(TEST_WEBHOOK_SECRET, svixId, Buffer.isBuffer(body) ? body.toString('latin1') : body, at));

function signedRaw(svixId: string, body: Buffer, at = Math.floor(Date.now() / 1000)): [string, string][] {
  return Object.entries(svixSignatureHeaders(TEST_WEBHOOK_SECRET, svixId, body, { timestamp: new Date(at * 1000) }));
}

function unverifiedCorpus(): HostileRequest[] {
  const requests: HostileRequest[] = [];
  let n = 0;
  const nextId = () => `msg_${UNVERIFIED}${(n++).toString(36)}`;
  const bodies = [
    JSON.stringify(userEvent('user.created', { key: `${UNVERIFIED}a`, updatedAt: Date.now() })),
    JSON.stringify(organizationEvent('organization.created', { key: `${UNVERIFIED}b`, updatedAt: Date.now() })),
    JSON.stringify(membershipEvent('organizationMembership.created', { key: `${UNVERIFIED}c`, userKey: `${UNVERIFIED}a`, organizationKey: `${UNVERIFIED}b`, updatedAt: Date.now() })),
  ];
  const add = (name: string, body: string | Buffer, headers: [string, string][]) =>
    requests.push({ name, verified: false, headers: [['Content-Type', 'application/json'], ...headers], body: Buffer.isBuffer(body) ? body : Buffer.from(body) });

  for (const body of bodies) {
    const now = Math.floor(Date.now() / 1000);
    // Every way of leaving out headers, in both header families.
    for (const family of ['svix', 'webhook']) {
      for (let mask = 0; mask < 7; mask++) {
        const id = nextId();
        const valid = sign(TEST_WEBHOOK_SECRET, id, body);
        const headers: [string, string][] = [];
        if (mask & 1) headers.push([`${family}-id`, id]);
        if (mask & 2) headers.push([`${family}-timestamp`, valid['svix-timestamp']]);
        if (mask & 4) headers.push([`${family}-signature`, valid['svix-signature']]);
        add(`missing headers ${family} ${mask}`, body, headers);
      }
    }
    // Signatures that are wrong in every way we could think of.
    const wrongSecret = `whsec_${randomBytes(24).toString('base64')}`;
    const signatureVariants: [string, (id: string) => [string, string][]][] = [
      ['empty', (id) => [['svix-id', id], ['svix-timestamp', String(now)], ['svix-signature', '']]],
      ['scheme only', (id) => [['svix-id', id], ['svix-timestamp', String(now)], ['svix-signature', 'v1,']]],
      ['short', (id) => [['svix-id', id], ['svix-timestamp', String(now)], ['svix-signature', 'v1,AAAA']]],
      ['not base64', (id) => [['svix-id', id], ['svix-timestamp', String(now)], ['svix-signature', 'v1,!!!not-base64!!!']]],
      ['wrong secret', (id) => Object.entries(sign(wrongSecret, id, body))],
      ['other body', (id) => [...Object.entries(sign(TEST_WEBHOOK_SECRET, id, `${body} `))]],
      ['other id', (id) => { const other = sign(TEST_WEBHOOK_SECRET, `${id}x`, body); return [['svix-id', id], ['svix-timestamp', other['svix-timestamp']], ['svix-signature', other['svix-signature']]]; }],
      ['other timestamp', (id) => { const other = sign(TEST_WEBHOOK_SECRET, id, body, now - 1); return [['svix-id', id], ['svix-timestamp', String(now)], ['svix-signature', other['svix-signature']]]; }],
      ['v2 scheme', (id) => { const valid = sign(TEST_WEBHOOK_SECRET, id, body); return [['svix-id', id], ['svix-timestamp', valid['svix-timestamp']], ['svix-signature', valid['svix-signature'].replace('v1,', 'v2,')]]; }],
      ['no scheme', (id) => { const valid = sign(TEST_WEBHOOK_SECRET, id, body); return [['svix-id', id], ['svix-timestamp', valid['svix-timestamp']], ['svix-signature', valid['svix-signature'].slice(3)]]; }],
      ['one bit off', (id) => { const valid = sign(TEST_WEBHOOK_SECRET, id, body); const flipped = valid['svix-signature'].slice(0, -3) + (valid['svix-signature'].at(-3) === 'A' ? 'B' : 'A') + valid['svix-signature'].slice(-2); return [['svix-id', id], ['svix-timestamp', valid['svix-timestamp']], ['svix-signature', flipped]]; }],
      ['hundred bogus', (id) => [['svix-id', id], ['svix-timestamp', String(now)], ['svix-signature', Array.from({ length: 100 }, () => `v1,${randomBytes(32).toString('base64')}`).join(' ')]]],
      ['huge header', (id) => [['svix-id', id], ['svix-timestamp', String(now)], ['svix-signature', `v1,${'A'.repeat(12_000)}`]]],
      ['latin1 bytes', (id) => [['svix-id', `${id}\xe9\xff`], ['svix-timestamp', String(now)], ['svix-signature', 'v1,\xfe\xff']]],
      ['duplicated id', (id) => { const valid = sign(TEST_WEBHOOK_SECRET, id, body); return [['svix-id', id], ['svix-id', `${id}b`], ['svix-timestamp', valid['svix-timestamp']], ['svix-signature', valid['svix-signature']]]; }],
      ['duplicated bogus signatures', (id) => [['svix-id', id], ['svix-timestamp', String(now)], ['svix-signature', `v1,${randomBytes(32).toString('base64')}`], ['svix-signature', `v1,${randomBytes(32).toString('base64')}`]]],
      ['re-serialised body', (id) => Object.entries(sign(TEST_WEBHOOK_SECRET, id, JSON.stringify(JSON.parse(body), null, 2)))],
    ];
    for (const [name, headersFor] of signatureVariants) add(`signature: ${name}`, body, headersFor(nextId()));
    // Correct signatures on attempts outside the 5-minute tolerance, or with no usable time at all.
    for (const at of [now - 301, now - 3600, now - 86_400 * 30, 0, 1, now + 400, now + 86_400 * 365]) {
      add(`timestamp ${at - now}s`, body, signedHeaders(nextId(), body, at));
    }
    for (const timestamp of ['', 'abc', '1e9', `${now}.5`, '-5', '99999999999999999999', ` ${now}`, `0x${now.toString(16)}`]) {
      const id = nextId();
      add(`timestamp ${JSON.stringify(timestamp)}`, body, Object.entries(svixSignatureHeaders(TEST_WEBHOOK_SECRET, id, body, { timestamp })));
    }
  }
  // Too large: rejected for its size whether or not it is signed.
  const padded = JSON.stringify({ ...JSON.parse(bodies[0]), padding: 'x'.repeat(1_200_000) });
  add('oversized, signed', padded, signedHeaders(nextId(), padded));
  add('oversized, unsigned', padded, []);
  // Not UTF-8, not JSON, unsigned or signed wrongly.
  for (const body of [Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('{"type":"user.created","data":{"id":"user_\xff\xfe"}}', 'latin1'), randomBytes(64), Buffer.from('not json')]) {
    add('bad bytes, unsigned', body, []);
    add('bad bytes, wrongly signed', body, [['svix-id', nextId()], ['svix-timestamp', String(Math.floor(Date.now() / 1000))], ['svix-signature', `v1,${randomBytes(32).toString('base64')}`]]);
  }
  return requests;
}

/** Every path of a JSON value (objects and arrays included), as key lists. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((item, index) => pathsOf(item, [...prefix, index])) : Object.entries(value).map(([key, item]) => pathsOf(item, [...prefix, key]));
  return [...(prefix.length ? [prefix] : []), ...children.flat()];
}

function withValueAt(event: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(event) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else {
    parent[last] = replacement;
  }
  return copy;
}

const SQL_LOOKING = "'); drop table app_public.users; --";
const WRONG_VALUES: unknown[] = [undefined, null, -1, 1e300, true, SQL_LOOKING, [], { $ne: null }];

function verifiedCorpus(): HostileRequest[] {
  const requests: HostileRequest[] = [];
  let n = 0;
  const add = (name: string, body: string | Buffer) => {
    const svixId = `msg_${VERIFIED}${(n++).toString(36)}`;
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    requests.push({ name, verified: true, svixId, headers: [['Content-Type', 'application/json'], ...signedRaw(svixId, bytes)], body: bytes });
  };
  const now = Date.now();
  const templates: [string, unknown][] = [
    ['user.created', userEvent('user.created', { key: `${VERIFIED}u`, updatedAt: now })],
    ['organization.created', organizationEvent('organization.created', { key: `${VERIFIED}o`, updatedAt: now })],
    ['organizationMembership.created', membershipEvent('organizationMembership.created', { key: `${VERIFIED}m`, userKey: `${VERIFIED}u`, organizationKey: `${VERIFIED}o`, updatedAt: now })],
    ['user.deleted', userDeletedEvent(`${VERIFIED}u`, now)],
    ['organization.deleted', organizationDeletedEvent(`${VERIFIED}o`, now)],
  ];
  // A wrong type, a missing key or an SQL-looking string in every field of every family.
  for (const [type, event] of templates) {
    for (const path of pathsOf(event)) {
      for (const value of WRONG_VALUES) add(`${type} ${path.join('.')} = ${JSON.stringify(value) ?? 'missing'}`, JSON.stringify(withValueAt(event, path, value)));
    }
  }
  // A NUL character (which Postgres text cannot hold) in every string of a user.
  const user = templates[0][1];
  for (const path of pathsOf(user)) {
    let target: unknown = user;
    for (const key of path) target = (target as Record<string | number, unknown>)[key];
    if (typeof target === 'string') add(`user.created ${path.join('.')} with NUL`, JSON.stringify(withValueAt(user, path, `${target}\u0000`)));
  }
  // Not JSON, not an object, not UTF-8 — but signed with the right secret.
  for (const body of ['', ' ', 'null', 'true', '42', '"user.created"', '[]', '[{"type":"user.created"}]', '{', '{"type":', 'not json', '{"type":"user.created","data":{}} trailing', '\ufeff{"type":"user.created","data":{}}', '{"type":"user.created","data":{"id":"x"},"type":"user.deleted"}']) {
    add(`body ${JSON.stringify(body)}`, body);
  }
  for (const bytes of [Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from(`{"type":"user.created","data":{"id":"user_${VERIFIED}x\xff\xfe","updated_at":1}}`, 'latin1'), randomBytes(256), Buffer.from([0xc0, 0x80])]) {
    add('not UTF-8', bytes);
  }
  // Nested far beyond any real payload, at the top and inside metadata of a real event.
  for (const depth of [1_000, 10_000, 100_000]) {
    add(`nested arrays ${depth}`, '['.repeat(depth) + ']'.repeat(depth));
    add(`nested objects ${depth}`, '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
    const event = JSON.stringify(userEvent('user.created', { key: `${VERIFIED}n${depth}`, updatedAt: now }));
    add(`nested metadata ${depth}`, event.replace('"public_metadata":{', `"public_metadata":{"deep":${'['.repeat(depth)}${']'.repeat(depth)},`));
  }
  // Header sets that are odd but carry a valid signature, so they count as verified (Svix's own
  // library accepts them too): families mixed, a repeated timestamp header (joined, the first read).
  for (const [name, headersFor] of [
    ['mixed header families', (id: string, body: string) => { const valid = sign(TEST_WEBHOOK_SECRET, id, body); return [['svix-id', id], ['webhook-timestamp', valid['svix-timestamp']], ['svix-signature', valid['svix-signature']]]; }],
    ['repeated timestamp header', (id: string, body: string) => { const valid = sign(TEST_WEBHOOK_SECRET, id, body); return [['svix-id', id], ['svix-timestamp', valid['svix-timestamp']], ['svix-timestamp', '1'], ['svix-signature', valid['svix-signature']]]; }],
  ] as [string, (id: string, body: string) => [string, string][]][]) {
    const svixId = `msg_${VERIFIED}${(n++).toString(36)}`;
    const body = JSON.stringify(userEvent('user.created', { key: `${VERIFIED}h${n}`, updatedAt: now }));
    requests.push({ name, verified: true, svixId, headers: [['Content-Type', 'application/json'], ...headersFor(svixId, body)], body: Buffer.from(body) });
  }
  // Types we do not model, with odd names.
  for (const type of ['user.exploded', '', 'constructor', '__proto__', 'user.created '.repeat(200), 'session.created\u0000']) {
    add(`type ${JSON.stringify(type).slice(0, 40)}`, JSON.stringify({ type, object: 'event', data: { id: `x_${VERIFIED}` } }));
  }
  return requests;
}

async function sendAll(requests: HostileRequest[], concurrency: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const request = requests[next++];
        answers.push({ request, status: await send(request) });
      }
    }),
  );
  return answers;
}

it('answers a hostile corpus of more than 1,000 requests without a 5xx, keeps nothing unverified, and still works', async () => {
  const corpus = [...unverifiedCorpus(), ...verifiedCorpus()];
  expect(corpus.length).toBeGreaterThanOrEqual(1000);
  const answers = await sendAll(corpus, 8);

  const serverErrors = answers.filter((answer) => answer.status >= 500 || answer.status === 0);
  expect(serverErrors.map((answer) => `${answer.status} ${answer.request.name}`)).toEqual([]);
  const unverifiedAccepted = answers.filter((answer) => !answer.request.verified && answer.status < 400);
  expect(unverifiedAccepted.map((answer) => `${answer.status} ${answer.request.name}`)).toEqual([]);

  const pool = getRootPool();
  const { rows: leftovers } = await pool.query<{ source: string; n: number }>(
    `select 'ledger' as source, count(*)::int as n from app_private.webhook_events where svix_id like '%' || $1 || '%' or payload::text like '%' || $1 || '%'
     union all select 'users', count(*)::int from app_public.users where id like '%' || $1 || '%'
     union all select 'organizations', count(*)::int from app_public.organizations where id like '%' || $1 || '%'
     union all select 'memberships', count(*)::int from app_public.organization_memberships where id like '%' || $1 || '%'
     union all select 'audit', count(*)::int from app_public.audit_logs where entity_id like '%' || $1 || '%' or svix_id like '%' || $1 || '%'`,
    [UNVERIFIED],
  );
  expect(leftovers.filter((row) => row.n > 0)).toEqual([]);

  // A verified delivery answered 2xx is in the ledger (never 2xx before the commit).
  const acceptedIds = answers.filter((answer) => answer.request.verified && answer.status < 300).map((answer) => answer.request.svixId!);
  const { rows: ledger } = await pool.query<{ svix_id: string }>(`select svix_id from app_private.webhook_events where svix_id = any($1)`, [acceptedIds]);
  const inLedger = new Set(ledger.map((row) => row.svix_id));
  expect(acceptedIds.filter((id) => !inLedger.has(id))).toEqual([]);

  // Still healthy, and still doing its job.
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  const key = `${VERIFIED}after`;
  const body = JSON.stringify(userEvent('user.created', { key, updatedAt: Date.now() }));
  const response = await fetch(`${app.url}${PATH}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...sign(TEST_WEBHOOK_SECRET, `msg_${key}`, body) } });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'processed' });
  const { rowCount } = await pool.query(`select 1 from app_public.users where id = $1`, [`user_${key}`]);
  expect(rowCount).toBe(1);
});
