// SIGTERM in the middle of a load: the real entry point (node server/main.ts) stops accepting,
// finishes every delivery it accepted, and never answers 2xx for one that did not commit.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_WEBHOOK_SECRET } from '../helpers/app.ts';
import { fixtureText, uniqueTag } from '../helpers/clerkEvents.ts';
import { endTestPools, getOwnerPool, testDatabase } from '../helpers/db.ts';
import { freePort } from '../../support/ports.ts';
import { postWebhook, signDelivery } from '../helpers/webhooks.ts';

jest.setTimeout(120_000);

const SENDERS = 12;
const SIGTERM_AFTER = 60;

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'clerk-pg-sync-shutdown-'));
});
afterAll(async () => {
  await endTestPools();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startServer(port: number): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['server/main.ts'], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      ENV_FILE: '', // a developer's .env must not reach the process under test
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: testDatabase.ownerUrl(),
      AUTH_DATABASE_URL: testDatabase.authUrl(),
      CLERK_WEBHOOK_SIGNING_SECRET: TEST_WEBHOOK_SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.ok, () => false)) return { child, output: () => output, exited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${output}`);
}

interface Attempt {
  svixId: string;
  status: number | 'no answer';
  answeredAt: number;
}

describe('graceful shutdown', () => {
  it('answers every accepted delivery after SIGTERM and each 2xx is in the ledger', async () => {
    const port = await freePort();
    const server = await startServer(port);
    const url = `http://127.0.0.1:${port}`;
    const tag = uniqueTag();
    const body = fixtureText('user.updated', tag);
    const attempts: Attempt[] = [];
    let signalledAt = Infinity;

    const sender = async () => {
      for (;;) {
        const delivery = signDelivery(body);
        try {
          const { status } = await postWebhook(url, delivery);
          attempts.push({ svixId: delivery.svixId, status, answeredAt: Date.now() });
        } catch {
          attempts.push({ svixId: delivery.svixId, status: 'no answer', answeredAt: Date.now() });
          if (Date.now() > signalledAt) return;
        }
        if (attempts.length >= SIGTERM_AFTER && signalledAt === Infinity) {
          signalledAt = Date.now();
          server.child.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    const code = await server.exited;
    const drainMs = Date.now() - signalledAt;
    expect({ code, output: server.output() }).toMatchObject({ code: 0 });
    // Open keep-alive connections are closed after their answer instead of idling until Node's
    // 5 s keep-alive timeout (or the shutdown timeout) while clients keep sending on them.
    expect(drainMs).toBeLessThan(4000);

    const answered = attempts.filter((attempt) => attempt.status !== 'no answer');
    // Everything the server answered, it answered fully: no 5xx while draining.
    expect(new Set(answered.map((attempt) => attempt.status))).toEqual(new Set([200]));
    // Deliveries in flight at the signal were finished, not dropped.
    expect(answered.filter((attempt) => attempt.answeredAt > signalledAt).length).toBeGreaterThan(0);
    const { rows } = await getOwnerPool().query<{ svix_id: string }>('select svix_id from app_private.webhook_events where svix_id = any($1)', [
      answered.map((attempt) => attempt.svixId),
    ]);
    expect(rows.length).toBe(answered.length);
    expect(server.output()).toMatch(/shutting down: no new connections, finishing requests in flight/);
    expect(server.output()).toMatch(/"msg":"stopped"/);
  });

  it('waits for a request still arriving at SIGTERM, answers it and commits it before stopping', async () => {
    const port = await freePort();
    const server = await startServer(port);
    const delivery = signDelivery(fixtureText('user.created', uniqueTag()));
    const body = Buffer.from(delivery.body);
    const events: string[] = [];
    const answered = new Promise<number | 'no answer'>((resolve) => {
      const request = http.request(
        { host: '127.0.0.1', port, path: '/api/webhooks/clerk', method: 'POST', headers: { ...delivery.headers, 'content-length': String(body.length) } },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', () => resolve('no answer'));
      // Half the body now: the request is accepted and in flight when the signal comes.
      request.write(body.subarray(0, body.length >> 1));
      setTimeout(() => {
        events.push('signalled');
        server.child.kill('SIGTERM');
        setTimeout(() => request.end(body.subarray(body.length >> 1)), 500);
      }, 300);
    });
    const exited = server.exited.then((code) => {
      events.push('exited');
      return code;
    });
    const status = await answered;
    events.push('answered');
    expect(status).toBe(200);
    expect(await exited).toBe(0);
    expect(events).toEqual(['signalled', 'answered', 'exited']);
    const { rows } = await getOwnerPool().query('select outcome from app_private.webhook_events where svix_id = $1', [delivery.svixId]);
    expect(rows).toEqual([{ outcome: 'processed' }]);
  });
});
