// How the entry point can be laid out: one process serving webhooks and GraphQL (the default), or
// `--only webhooks` / `--only graphql` for a deployment that scales and isolates them; /metrics on
// its own port; and Node's receive timeouts, which cut a client that sends its request too slowly.
// Each process stops on SIGTERM.
import { afterAll, expect, it, jest } from '@jest/globals';
import net from 'node:net';
import { TEST_WEBHOOK_SECRET } from '../helpers/app.ts';
import { userEvent } from '../../support/clerkDeliveries.ts';
import { svixSignatureHeaders } from '../../support/svixSignature.ts';
import { endTestPools, testDatabase } from '../helpers/db.ts';
import { freePort } from '../../support/ports.ts';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';

jest.setTimeout(120_000);

const started: ServerProcess[] = [];
afterAll(async () => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  await endTestPools();
});

const urls = () => ({ ownerUrl: testDatabase.ownerUrl(), authUrl: testDatabase.authUrl() });

async function start(env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<ServerProcess> {
  const server = await startServerProcess(await freePort(), urls(), env, args);
  started.push(server);
  return server;
}

async function stopWithSigterm(server: ServerProcess): Promise<void> {
  const before = Date.now();
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  expect(Date.now() - before).toBeLessThan(10_000);
}

async function deliver(url: string): Promise<number> {
  const body = JSON.stringify(userEvent('user.created', { key: `layout${Date.now()}${Math.random().toString(36).slice(2, 8)}`, updatedAt: Date.now() }));
  const headers = svixSignatureHeaders(TEST_WEBHOOK_SECRET, `msg_layout_${Date.now()}_${Math.random().toString(36).slice(2)}`, body);
  const response = await fetch(`${url}/api/webhooks/clerk`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return response.status;
}

const graphql = (url: string) =>
  fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ currentUserId }' }) }).then((response) => response.status);

it('--only webhooks serves deliveries and health, not GraphQL, and stops on SIGTERM', async () => {
  const server = await start({}, ['--only', 'webhooks']);
  expect(await deliver(server.url)).toBe(200);
  expect(await graphql(server.url)).toBe(404);
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  await stopWithSigterm(server);
});

it('SERVE_ONLY=graphql serves GraphQL and health, not deliveries, and stops on SIGTERM', async () => {
  const server = await start({ SERVE_ONLY: 'graphql' });
  expect(await graphql(server.url)).toBe(200);
  expect(await deliver(server.url)).toBe(404);
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  await stopWithSigterm(server);
});

it('with METRICS_PORT, /metrics is served there and not on the API port', async () => {
  const metricsPort = await freePort();
  const server = await start({ METRICS_PORT: String(metricsPort) });
  expect(await deliver(server.url)).toBe(200);
  expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toMatch(/clerk_webhook_deliveries_total\{event_type="user.created",outcome="processed"\} 1/);
  await stopWithSigterm(server);
});

/** Opens a connection, writes `head` and then nothing more; resolves with what came back and when. */
function stall(port: number, head: string): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ answer, ms: Date.now() - started }));
    setTimeout(() => socket.destroy(), 20_000).unref();
  });
}

it('a client sending its headers or body too slowly is cut after the receive timeouts', async () => {
  const server = await start({ HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_HEADERS_TIMEOUT_MS: '1000' });
  const port = Number(new URL(server.url).port);
  const [headers, body] = await Promise.all([
    stall(port, 'POST /api/webhooks/clerk HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/js'),
    stall(port, 'POST /api/webhooks/clerk HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"data":'),
  ]);
  for (const cut of [headers, body]) {
    expect(cut.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(cut.ms).toBeLessThan(5000);
  }
  expect(headers.ms).toBeGreaterThanOrEqual(900);
  expect(body.ms).toBeGreaterThanOrEqual(1900);
  expect(await deliver(server.url)).toBe(200);
});

it('refuses receive timeouts that contradict each other', async () => {
  const { loadConfig } = await import('../../server/config.ts');
  expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '2000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS must not exceed/);
  expect(() => loadConfig({ SERVE_ONLY: 'everything' })).toThrow(/SERVE_ONLY/);
});
