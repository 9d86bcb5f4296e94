// Ruru (GraphiQL) is a development tool: served at /graphiql outside production only. The
// development case runs the real entry point in a child process, because Ruru loads its page
// with a dynamic import that jest's module sandbox cannot run.
import { afterAll, describe, expect, it } from '@jest/globals';
import { startTestApp } from '../../helpers/app.ts';
import { endTestPools, testDatabase } from '../../helpers/db.ts';
import { freePort } from '../../../support/ports.ts';
import { startServerProcess } from '../../helpers/serverProcess.ts';
import { makeSigningKey } from '../../helpers/tokens.ts';

afterAll(endTestPools);

const CLERK_JWT_KEY = makeSigningKey().publicPem;
const databaseUrls = () => ({ ownerUrl: testDatabase.ownerUrl(), authUrl: testDatabase.authUrl() });

async function getGraphiql(url: string) {
  const response = await fetch(`${url}/graphiql`, { headers: { accept: 'text/html' } });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

describe('GET /graphiql', () => {
  it('serves Ruru in development', async () => {
    const server = await startServerProcess(await freePort(), databaseUrls(), { NODE_ENV: 'development', CLERK_JWT_KEY });
    try {
      const page = await getGraphiql(server.url);
      expect(page.status).toBe(200);
      expect(page.contentType).toMatch(/^text\/html/);
      expect(page.body).toMatch(/ruru/i);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('is not there in production', async () => {
    const app = await startTestApp({ NODE_ENV: 'production', CLERK_JWT_KEY });
    try {
      expect((await getGraphiql(app.url)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
