// Verification without CLERK_JWT_KEY: keys come from the Backend API's JWKS endpoint, served here
// by a local HTTP server speaking its wire format (GET /v1/jwks, Bearer secret key).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { endTestPools } from '../../helpers/db.ts';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { makeSigningKey, signToken, v1Claims } from '../../helpers/tokens.ts';

const SECRET_KEY = 'sk_test_graphql_jwks';
/** The instance whose JWKS lists no key at all. */
const KEYLESS_SECRET_KEY = 'sk_test_graphql_jwks_keyless';
const key = makeSigningKey('ins_jwks_key');
const token = signToken(key, v1Claims({ userId: 'user_2jwks', orgId: 'org_2jwks', role: 'org:member' }));

let clerkApi: Server;
let clerkApiUrl: string;
const jwksRequests: (string | undefined)[] = [];

beforeAll(async () => {
  clerkApi = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/jwks' && req.headers.authorization === `Bearer ${KEYLESS_SECRET_KEY}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [] }));
    } else if (req.method === 'GET' && req.url === '/v1/jwks') {
      jwksRequests.push(req.headers.authorization);
      const jwk = { ...key.privateKey.export({ format: 'jwk' }), kid: key.kid, alg: 'RS256', use: 'sig' } as Record<string, unknown>;
      for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) delete jwk[privatePart];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => clerkApi.listen(0, '127.0.0.1', resolve));
  clerkApiUrl = `http://127.0.0.1:${(clerkApi.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => clerkApi.close(resolve));
  await endTestPools();
});

async function whoAmI(app: RunningApp, bearer: string) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query: '{ currentUserId currentOrgId }' }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
}

async function withApp<T>(env: NodeJS.ProcessEnv, body: (app: RunningApp) => Promise<T>): Promise<T> {
  const app = await startTestApp(env);
  try {
    return await body(app);
  } finally {
    await app.close();
  }
}

describe('session tokens verified through the JWKS of CLERK_SECRET_KEY', () => {
  it('accepts a token signed by a key the JWKS lists', async () => {
    await withApp({ CLERK_SECRET_KEY: SECRET_KEY, CLERK_API_URL: clerkApiUrl }, async (app) => {
      const { status, body } = await whoAmI(app, token);
      expect(status).toBe(200);
      expect(body).toEqual({ data: { currentUserId: 'user_2jwks', currentOrgId: 'org_2jwks' } });
      expect(jwksRequests).toContain(`Bearer ${SECRET_KEY}`);
    });
  });

  it('rejects a token whose key id the JWKS does not list', async () => {
    await withApp({ CLERK_SECRET_KEY: SECRET_KEY, CLERK_API_URL: clerkApiUrl }, async (app) => {
      const stranger = makeSigningKey('ins_unknown_key');
      const { status, body } = await whoAmI(app, signToken(stranger, v1Claims({ userId: 'user_2jwks' })));
      expect(status).toBe(401);
      expect(body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'jwk-kid-mismatch' });
    });
  });

  it('answers 503 (retry later) when the JWKS cannot be fetched: the token is not at fault', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    await withApp({ CLERK_SECRET_KEY: 'sk_test_unreachable', CLERK_API_URL: deadUrl }, async (app) => {
      const { status, retryAfter, body } = await whoAmI(app, token);
      expect(status).toBe(503);
      expect(retryAfter).toBe('5');
      expect(body.errors[0].extensions).toEqual({ code: 'UNAVAILABLE', reason: 'verification-unavailable' });
    });
  });

  it('answers 503 (retry later) when the JWKS lists no key: the key source failed, not the token', async () => {
    await withApp({ CLERK_SECRET_KEY: KEYLESS_SECRET_KEY, CLERK_API_URL: clerkApiUrl }, async (app) => {
      const { status, retryAfter, body } = await whoAmI(app, token);
      expect(status).toBe(503);
      expect(retryAfter).toBe('5');
      expect(body.errors[0].extensions).toEqual({ code: 'UNAVAILABLE', reason: 'jwk-remote-failed-to-load' });
    });
  });

  it('rejects every token, but serves anonymous visitors, when no key is configured', async () => {
    await withApp({}, async (app) => {
      const { status, retryAfter, body } = await whoAmI(app, token);
      expect(status).toBe(401);
      expect(retryAfter).toBeNull();
      expect(body.errors).toEqual([
        {
          message: 'session token rejected: this server cannot verify session tokens: neither CLERK_JWT_KEY nor CLERK_SECRET_KEY is configured',
          extensions: { code: 'UNAUTHENTICATED', reason: 'jwk-failed-to-resolve' },
        },
      ]);
      const anonymous = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ currentUserId }' }),
      });
      expect(await anonymous.json()).toEqual({ data: { currentUserId: null } });
    });
  });
});
