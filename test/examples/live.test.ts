// The live example in a real browser: headless Chromium opens the page from another origin than the
// API, the page gets a development token, queries /graphql (a CORS preflight, for the Authorization
// header) and subscribes over a websocket; a signed webhook delivery then shows up on the page.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startExampleServer } from '../../examples/live/server.ts';
import { loadDevSecrets } from '../../server/devSecrets.ts';
import { sessionTokenPublicKey } from '../../server/devSessionToken.ts';
import { membershipEvent, organizationEvent, userEvent } from '../../support/clerkDeliveries.ts';
import { freePort } from '../../support/ports.ts';
import { startTestApp, type RunningApp } from '../helpers/app.ts';
import { launchChromium, type Browser } from '../helpers/chromium.ts';
import { uniqueTag } from '../helpers/clerkEvents.ts';
import { endTestPools } from '../helpers/db.ts';
import { eventually } from '../helpers/liveClient.ts';
import { deliverOverHttp } from '../helpers/webhooks.ts';

jest.setTimeout(120_000);

const tag = uniqueTag();
const keys = { org: `${tag}org`, admin: `${tag}alicia`, driver: `${tag}dan` };
let dataDir: string;
let app: RunningApp;
let example: Server;
let exampleOrigin: string;
let browser: Browser;
const logLines: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'clerk-pg-sync-example-'));
  const { secrets } = loadDevSecrets(dataDir);
  const port = await freePort();
  exampleOrigin = `http://127.0.0.1:${port}`;
  // The API accepts the example's development tokens and its origin, and nothing else cross-origin.
  app = await startTestApp({ CLERK_JWT_KEY: sessionTokenPublicKey(secrets.sessionTokenPrivateKey), CORS_ORIGINS: exampleOrigin, LOG_LEVEL: 'info' }, undefined, {
    write: (line) => logLines.push(line),
  });
  example = await startExampleServer({ port, dataDir, userId: `user_${keys.admin}`, orgId: `org_${keys.org}`, role: 'org:admin' });
  const at = Date.UTC(2025, 6, 1);
  for (const event of [
    organizationEvent('organization.created', { key: keys.org, updatedAt: at, name: 'Browser Freight' }),
    userEvent('user.created', { key: keys.admin, updatedAt: at, firstName: 'Alicia', lastName: 'Admin' }),
    membershipEvent('organizationMembership.created', { key: keys.admin, userKey: keys.admin, organizationKey: keys.org, updatedAt: at, role: 'org:admin' }),
  ]) {
    expect((await deliverOverHttp(app.url, event)).body).toMatchObject({ status: 'processed' });
  }
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => example?.close(resolve));
  await app?.close();
  await endTestPools();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the live example page in Chromium', () => {
  it('queries across origins, subscribes, and shows a webhook delivery as it happens', async () => {
    const page = await browser.open(`${exampleOrigin}/?api=${encodeURIComponent(app.url)}`);
    await page.waitFor(`document.getElementById('status')?.dataset.state === 'live'`, 20_000);
    await page.waitFor(`document.querySelector('#members li[data-id="orgmem_${keys.admin}"]')`, 20_000);
    expect(await page.evaluate(`document.getElementById('organization').textContent`)).toBe('Browser Freight');
    // The page's subscription is in place on the server before the delivery.
    await eventually(() => app.websockets.stats().subscriptions === 1, 10_000, "the page's subscription");

    // A driver joins: Clerk's webhook, signed, over HTTP.
    const joined = membershipEvent('organizationMembership.created', { key: keys.driver, userKey: keys.driver, organizationKey: keys.org, updatedAt: Date.UTC(2025, 6, 2), role: 'org:driver' });
    expect((await deliverOverHttp(app.url, joined)).body).toMatchObject({ status: 'processed' });
    const change = `#changes li[data-kind="MEMBERSHIP"][data-id="orgmem_${keys.driver}"][data-operation="INSERT"]`;
    await page.waitFor(`document.querySelector('${change}')`);
    expect(await page.evaluate(`document.querySelector('${change}').textContent`)).toContain('org:driver');
    // The page refetched its member list after the event.
    await page.waitFor(`document.querySelector('#members li[data-id="orgmem_${keys.driver}"]')`);

    expect(page.errors).toEqual([]);
    // The browser asked first (the Authorization header is not CORS-safelisted), and was answered.
    const preflight = logLines.map((line) => JSON.parse(line)).find((entry) => entry.req?.method === 'OPTIONS' && entry.req?.url === '/graphql');
    expect(preflight?.res?.statusCode).toBe(204);
  });
});
