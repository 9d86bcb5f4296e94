import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { sendCommand, startupBanner } from '../../server/banner.ts';
import { loadConfig } from '../../server/config.ts';

const embedded = { embedded: true, ownerUrl: 'postgres://clerk_pg_sync:pw@127.0.0.1:54403/clerk_pg_sync' };

describe('startupBanner', () => {
  it('shows the address, the embedded database, the generated secret and the command to try', () => {
    const config = loadConfig({ PORT: '3103', EMBEDDED_POSTGRES_PORT: '54403' });
    const banner = startupBanner(config, embedded, { kind: 'generated', secret: 'whsec_Z2VuZXJhdGVkLXNlY3JldC0xMjM0NTY3OA==' });
    expect(banner).toContain('POST http://localhost:3103/api/webhooks/clerk');
    expect(banner).toContain(`embedded Postgres 17 on 127.0.0.1:54403 (data in ${path.resolve('.data')})`);
    expect(banner).toContain('Development webhook signing secret: whsec_Z2VuZXJhdGVkLXNlY3JldC0xMjM0NTY3OA==');
    expect(banner).toContain('npm run webhooks -- send user.created --url http://localhost:3103/api/webhooks/clerk');
  });

  it('names an external database without its password and never prints a secret it did not generate', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://owner:hunter2@db.example.com:6543/app', AUTH_DATABASE_URL: 'postgres://auth:pw@db.example.com:6543/app' });
    const banner = startupBanner(config, { embedded: false, ownerUrl: config.database.url! }, { kind: 'environment' });
    expect(banner).toContain('external db.example.com:6543/app as owner');
    expect(banner).not.toContain('hunter2');
    expect(banner).not.toContain('whsec_');
    expect(banner).toContain('CLERK_WEBHOOK_SIGNING_SECRET');
  });

  it('names the pinned Clerk instances, or says any instance is accepted', () => {
    const pinned = loadConfig({ CLERK_INSTANCE_ID: 'ins_2wBhLsbyDWG2fWAHf2X6qoBd8IH,ins_second' });
    expect(startupBanner(pinned, embedded, { kind: 'stored' })).toContain('Clerk instance ins_2wBhLsbyDWG2fWAHf2X6qoBd8IH, ins_second only (CLERK_INSTANCE_ID)');
    expect(startupBanner(loadConfig({}), embedded, { kind: 'stored' })).toContain('any Clerk instance (set CLERK_INSTANCE_ID to refuse the others)');
  });

  it('refuses a CLERK_INSTANCE_ID that is not a list of instance ids', () => {
    expect(() => loadConfig({ CLERK_INSTANCE_ID: 'ins_ok, app_2wBh' })).toThrow(/CLERK_INSTANCE_ID must be one or more comma-separated Clerk instance ids \(ins_…\): "app_2wBh"/);
    expect(loadConfig({ CLERK_INSTANCE_ID: ' ins_a , ins_b ' }).clerk.instanceIds).toEqual(['ins_a', 'ins_b']);
  });

  it('gives a command that finds the development secret in a non-default data directory', () => {
    const config = loadConfig({ DATA_DIR: '/tmp/elsewhere' });
    expect(sendCommand(config, { kind: 'stored' })).toBe('DATA_DIR=/tmp/elsewhere npm run webhooks -- send user.created');
    expect(sendCommand(loadConfig({}), { kind: 'stored' })).toBe('npm run webhooks -- send user.created');
  });
});
