// CORS over real HTTP: listed origins may call /graphql from the browser (preflight included),
// others get no CORS header at all, and the webhook route never answers CORS.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { WEBHOOK_PATH } from '../../../server/app.ts';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { endTestPools } from '../../helpers/db.ts';

afterAll(endTestPools);

const ALLOWED = 'https://fleet.example.com';
const ALSO_ALLOWED = 'http://localhost:5173';
const OTHER = 'https://evil.example.net';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

// node:http, not fetch: fetch may refuse to send a chosen Origin header.
function request(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const preflight = (base: string, path: string, origin: string) =>
  request(base, 'OPTIONS', path, {
    Origin: origin,
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'authorization,content-type',
  });

const corsHeaders = (answer: Answer) => Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));

const QUERY = JSON.stringify({ query: '{ currentUserId }' });

describe('CORS on /graphql with CORS_ORIGINS', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startTestApp({ CORS_ORIGINS: `${ALLOWED}, ${ALSO_ALLOWED}`, CLERK_AUTHORIZED_PARTIES: 'https://not-used-for-cors.example.com' });
  });
  afterAll(() => app.close());

  it('answers a preflight from a listed origin with the headers a browser needs, cached', async () => {
    for (const origin of [ALLOWED, ALSO_ALLOWED]) {
      const answer = await preflight(app.url, '/graphql', origin);
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe(origin);
      expect(answer.headers['access-control-allow-headers']).toBe('Authorization,Content-Type');
      expect(answer.headers['access-control-allow-methods']).toContain('POST');
      expect(answer.headers['access-control-max-age']).toBe('600');
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
      expect(answer.headers.vary).toMatch(/origin/i);
    }
  });

  it('lets a listed origin read the answer of a query, and of a refused token', async () => {
    const ok = await request(app.url, 'POST', '/graphql', { Origin: ALLOWED, 'Content-Type': 'application/json' }, QUERY);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ data: { currentUserId: null } });
    expect(ok.headers['access-control-allow-origin']).toBe(ALLOWED);

    const refused = await request(app.url, 'POST', '/graphql', { Origin: ALLOWED, 'Content-Type': 'application/json', Authorization: 'Bearer garbage' }, QUERY);
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('gives another origin (also one in CLERK_AUTHORIZED_PARTIES only) no CORS header', async () => {
    for (const origin of [OTHER, 'https://not-used-for-cors.example.com', `${ALLOWED}.evil.net`, 'null']) {
      const answer = await preflight(app.url, '/graphql', origin);
      expect(corsHeaders(answer)).toEqual([]);
      const post = await request(app.url, 'POST', '/graphql', { Origin: origin, 'Content-Type': 'application/json' }, QUERY);
      expect(corsHeaders(post)).toEqual([]);
    }
  });

  it('never answers CORS on the webhook route, even to a listed origin', async () => {
    const answer = await preflight(app.url, WEBHOOK_PATH, ALLOWED);
    expect(corsHeaders(answer)).toEqual([]);
    const post = await request(app.url, 'POST', WEBHOOK_PATH, { Origin: ALLOWED, 'Content-Type': 'application/json' }, '{}');
    expect(post.status).toBe(400);
    expect(corsHeaders(post)).toEqual([]);
  });
});

describe('CORS defaults', () => {
  it('allows the origins of CLERK_AUTHORIZED_PARTIES when CORS_ORIGINS is not set', async () => {
    const app = await startTestApp({ CLERK_AUTHORIZED_PARTIES: ALLOWED });
    try {
      expect((await preflight(app.url, '/graphql', ALLOWED)).headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(corsHeaders(await preflight(app.url, '/graphql', OTHER))).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('allows no origin when neither is set', async () => {
    const app = await startTestApp({});
    try {
      expect(corsHeaders(await preflight(app.url, '/graphql', ALLOWED))).toEqual([]);
      expect(corsHeaders(await request(app.url, 'POST', '/graphql', { Origin: ALLOWED, 'Content-Type': 'application/json' }, QUERY))).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
