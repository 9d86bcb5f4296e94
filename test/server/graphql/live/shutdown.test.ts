// The real entry point with subscribers attached: SIGTERM closes every websocket with 1001 (going
// away), so clients know to reconnect elsewhere, and the process still exits cleanly.
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { endTestPools, testDatabase } from '../../../helpers/db.ts';
import { liveClient } from '../../../helpers/liveClient.ts';
import { freePort } from '../../../../support/ports.ts';
import { startServerProcess } from '../../../helpers/serverProcess.ts';
import { TEST_AZP, makeSigningKey, signToken, v1Claims } from '../../../helpers/tokens.ts';

jest.setTimeout(90_000);
afterAll(endTestPools);

describe('shutdown with subscribers', () => {
  it('closes their sockets with 1001 and exits 0', async () => {
    const key = makeSigningKey();
    const server = await startServerProcess(await freePort(), { ownerUrl: testDatabase.ownerUrl(), authUrl: testDatabase.authUrl() }, {
      CLERK_JWT_KEY: key.publicPem.replace(/\n/g, '\\n'),
      CLERK_AUTHORIZED_PARTIES: TEST_AZP,
    });
    const token = signToken(key, v1Claims({ userId: 'user_2shutdown', orgId: 'org_2shutdown', role: 'org:member', permissions: [] }));
    const clients = [liveClient(server.url, token), liveClient(server.url, token)];
    const subscriptions = clients.map((client) => client.subscribe(`subscription { organizationChanged { id } }`));
    await Promise.all(clients.map((client) => client.connected));
    server.child.kill('SIGTERM');
    for (const client of clients) expect(await client.closed).toEqual({ code: 1001, reason: 'the server is shutting down' });
    await Promise.all(subscriptions.map((subscription) => subscription.ended()));
    expect(await server.exited).toBe(0);
  });
});
