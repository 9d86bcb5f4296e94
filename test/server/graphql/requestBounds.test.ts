// What one request may take once it passed validation, over HTTP against the real server in
// production mode with small bounds: statements are cancelled by statement_timeout, requests wait
// for one of a bounded number of slots or get 503 at once, a request past its wall-clock budget is
// answered 503, and an oversized response is not sent. After each, the next request works.
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { CLIENT_ERROR_CODES } from '../../../server/graphql/maskError.ts';
import { REQUEST_BOUND_CODES } from '../../../server/graphql/requestBounds.ts';
import { endTestPools } from '../../helpers/db.ts';
import { startProductionServer, type ProductionServer } from '../../helpers/productionServer.ts';

jest.setTimeout(120_000);

let api: ProductionServer;
beforeAll(async () => {
  api = await startProductionServer('graphql_request_bounds', {
    GRAPHQL_STATEMENT_TIMEOUT_MS: '1500',
    GRAPHQL_MAX_CONCURRENT: '1',
    GRAPHQL_MAX_QUEUED: '3',
    GRAPHQL_REQUEST_TIMEOUT_MS: '2500',
    GRAPHQL_MAX_RESPONSE_SIZE: '20kb',
  });
  // The first request of a process waits for the schema; the bounds are about every later one.
  expect((await api.graphql('{ __typename }')).status).toBe(200);
}, 90_000);
afterAll(async () => {
  await api?.stop();
  await endTestPools();
});

const codeOf = (answer: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) => answer.body.errors?.[0]?.extensions?.code;

async function expectNextRequestWorks(): Promise<void> {
  const answer = await api.graphql('{ slowAnswer(seconds: 0) }');
  expect(answer).toMatchObject({ status: 200, body: { data: { slowAnswer: true } } });
}

it('a query running past statement_timeout is cancelled and answered with STATEMENT_TIMEOUT; the next request works', async () => {
  const answer = await api.graphql('{ slowAnswer(seconds: 5) }');
  expect(answer.status).toBe(200);
  expect(answer.body.data).toEqual({ slowAnswer: null });
  expect(codeOf(answer)).toBe(CLIENT_ERROR_CODES.statementTimeout);
  expect(answer.body.errors?.[0].message).toMatch(/1500 ms/);
  await expectNextRequestWorks();
  const refusal = api.server.output().split('\n').find((line) => line.includes(CLIENT_ERROR_CODES.statementTimeout));
  expect(JSON.parse(refusal!)).toMatchObject({ level: 40, sqlState: '57014' });
});

it('requests beyond the slots and the queue get 503 SERVER_BUSY at once; one queued past its budget gets 503 REQUEST_TIMEOUT', async () => {
  // One slot, three places in the queue, 1 s each: the fifth finds the queue full, and the fourth
  // cannot start before 3 s, so it cannot finish within the 2.5 s budget.
  const pending = Promise.all(Array.from({ length: 5 }, () => api.graphql('{ slowAnswer(seconds: 1) }')));
  // Meanwhile the gauge shows the one slot taken and requests waiting in the queue.
  let inFlight = { running: 0, queued: 0 };
  for (let attempt = 0; attempt < 40 && !(inFlight.running === 1 && inFlight.queued >= 1); attempt += 1) {
    inFlight = await requestsInFlight();
    if (inFlight.queued === 0) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(inFlight.running).toBe(1);
  expect(inFlight.queued).toBeGreaterThanOrEqual(1);
  expect(inFlight.queued).toBeLessThanOrEqual(3);
  const answers = await pending;
  const codes = answers.map((answer) => (answer.status === 200 ? 'ok' : `${answer.status} ${codeOf(answer)}`));
  expect(codes.filter((code) => code === `503 ${REQUEST_BOUND_CODES.busy}`)).toHaveLength(1);
  expect(codes.filter((code) => code === `503 ${REQUEST_BOUND_CODES.timeout}`).length).toBeGreaterThanOrEqual(1);
  expect(codes.filter((code) => code === 'ok').length).toBeGreaterThanOrEqual(1);
  expect(codes.every((code) => ['ok', `503 ${REQUEST_BOUND_CODES.busy}`, `503 ${REQUEST_BOUND_CODES.timeout}`].includes(code))).toBe(true);
  const busy = answers.find((answer) => codeOf(answer) === REQUEST_BOUND_CODES.busy)!;
  // At once: long before the first request in the slot could have finished.
  expect(busy.ms).toBeLessThan(1000);
  // An abandoned request still holds its slot until it ends; after that the API answers again.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await expectNextRequestWorks();
  const metrics = await fetch(`${api.server.url}/metrics`).then((response) => response.text());
  expect(metrics).toMatch(/graphql_refused_total\{reason="busy"\} 1/);
  expect(metrics).toMatch(/graphql_refused_total\{reason="timeout"\} [1-9]/);
  expect(await requestsInFlight()).toEqual({ running: 0, queued: 0 });
});

async function requestsInFlight(): Promise<{ running: number; queued: number }> {
  const text = await fetch(`${api.server.url}/metrics`).then((response) => response.text());
  const value = (state: string) => Number(new RegExp(`^graphql_requests_in_flight\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { running: value('running'), queued: value('queued') };
}

it('a response larger than the bound is not sent: 400 RESPONSE_TOO_LARGE', async () => {
  const { getIntrospectionQuery } = await import('postgraphile/graphql');
  const answer = await api.graphql(getIntrospectionQuery({ descriptions: true }), { token: api.tokenFor('user_2alice', 'org_2acme', 'org:admin') });
  expect(answer.status).toBe(400);
  expect(codeOf(answer)).toBe(REQUEST_BOUND_CODES.tooLarge);
  await expectNextRequestWorks();
});

it('request errors are HTTP 400 for clients that accept only application/json too', async () => {
  const answer = await api.graphql('{ nope }', { headers: { accept: 'application/json' } });
  expect(answer.status).toBe(400);
  expect(answer.body.errors?.[0].message).toMatch(/Cannot query field "nope"/);
});
