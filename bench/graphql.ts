// `npm run bench -- graphql`: through /graphql with a verified Clerk JWT and row-level security,
// vs the very same server, tokens and queries with RLS bypassed (the `authenticated` role given
// BYPASSRLS between runs), so each ratio is the cost of the policies alone:
//   - the organization page (the organization, its 50 memberships and their users' profiles);
//   - a driver's loads page (20 of their loads; drivers do not read vehicles), and a dispatcher's board (the
//     organization's 50 next loads with driver and vehicle, and its drivers), on the fleet tables;
//   - a dispatcher's load update mutation (policies, the load-change trigger and the audit row).
import { freePort } from '../support/ports.ts';
import { startBenchDatabase, type BenchDatabase } from './lib/database.ts';
import type { LoadResult } from './lib/loadWorker.ts';
import { productSecrets, startProduct, type ProductSecrets } from './lib/product.ts';
import { runLoad } from './lib/processes.ts';
import { machineLoad, median, pairedRatio, printTable, verdict, VERDICT_HEADER } from './lib/report.ts';
import { DRIVER_PERMISSIONS, DISPATCHER_PERMISSIONS, fleetTenant, generateFleet, loadIdsOf } from './lib/fleet.ts';
import { ADMIN_PERMISSIONS, BENCH_ORGANIZATIONS, benchTenant, generateTenants, MEMBERS_PER_BENCH_ORGANIZATION } from './lib/tenants.ts';
import type { BenchOptions } from './lib/options.ts';

export const ORGANIZATION_PAGE_QUERY = `query OrganizationPage($id: String!) {
  organization(id: $id) {
    id name slug imageUrl publicMetadata
    organizationMemberships(first: ${MEMBERS_PER_BENCH_ORGANIZATION}) {
      nodes { id role roleName permissions createdAt user { id firstName lastName imageUrl publicMetadata } }
    }
  }
}`;

/** A v1 Clerk session token of the n-th benchmark organization's admin. */
function sessionToken(secrets: ProductSecrets, n: number): string {
  const { organizationId, userId } = benchTenant(n);
  return secrets.tokens.sign({ sub: userId, sid: `sess_bench${n}`, org_id: organizationId, org_role: 'org:admin', org_slug: `fleet-s${n}`, org_permissions: ADMIN_PERMISSIONS, v: 1 });
}

type Mode = 'rls' | 'bypass';

export interface GraphqlFigures {
  rls: LoadResult;
  bypass: LoadResult;
  /** Median of the per-round ratios JWT + RLS req/s ÷ RLS bypassed req/s. */
  ratio: number;
}

async function setBypass(database: BenchDatabase, bypass: boolean): Promise<void> {
  await database.sql(`alter role authenticated ${bypass ? 'bypassrls' : 'nobypassrls'}`);
}

type BenchRequest = { method: 'POST'; body: string; headers: Record<string, string> };

/** What one benchmark sends, and how to tell that an answer is right (and the same in both modes). */
export interface Workload {
  requests: BenchRequest[];
  /** Throws on a wrong answer; returns what must be equal between the two modes. */
  check: (body: any) => string;
}

const post = (token: string, query: string, variables: Record<string, unknown>): BenchRequest => ({
  method: 'POST',
  body: JSON.stringify({ query, variables }),
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
});

/** One answer of the workload's first request, checked, to compare both modes before timing them. */
async function answer(url: string, workload: Workload): Promise<string> {
  const [request] = workload.requests;
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/graphql answered ${response.status}: ${text.slice(0, 500)}`);
  const body = JSON.parse(text);
  if (body.errors) throw new Error(`/graphql answered errors: ${text.slice(0, 500)}`);
  return workload.check(body);
}

function organizationPage(secrets: ProductSecrets): Workload {
  return {
    requests: Array.from({ length: BENCH_ORGANIZATIONS }, (_, n) =>
      post(sessionToken(secrets, n), ORGANIZATION_PAGE_QUERY, { id: benchTenant(n).organizationId })),
    check: (body) => {
      const nodes = body.data?.organization?.organizationMemberships?.nodes ?? [];
      if (nodes.length !== MEMBERS_PER_BENCH_ORGANIZATION || nodes.some((node: { user: unknown }) => !node.user)) {
        throw new Error(`the organization page query did not return ${MEMBERS_PER_BENCH_ORGANIZATION} memberships with their users: ${JSON.stringify(body).slice(0, 500)}`);
      }
      return JSON.stringify(body);
    },
  };
}

/**
 * The product's GraphQL admission bound, sized to the benchmark's load. With the default (2 running,
 * 32 waiting) the 32 requests of a warm-up that were still queued when its connections closed are
 * still queued when the measured run's arrive, and the queue answers them `503 SERVER_BUSY` at
 * once: the run would measure refusals. One slot per connection lets every request in flight run;
 * the queue then only holds what a warm-up left behind.
 */
export const graphqlBenchEnv = (options: BenchOptions): NodeJS.ProcessEnv => ({ GRAPHQL_MAX_CONCURRENT: String(options.connections) });

/** Measures both modes, interleaved per round, on the data already in `database`. */
export async function measureGraphql(database: BenchDatabase, secrets: ProductSecrets, options: BenchOptions, tag: string): Promise<GraphqlFigures> {
  return measureWorkload(database, secrets, options, tag, organizationPage(secrets));
}

export async function measureWorkload(database: BenchDatabase, secrets: ProductSecrets, options: BenchOptions, tag: string, workload: Workload): Promise<GraphqlFigures> {
  // Fresh statistics: with a users table grown since the last analyze, the planner may scan it whole.
  await database.sql('analyze');
  const results: Record<Mode, LoadResult[]> = { rls: [], bypass: [] };
  const answers: Partial<Record<Mode, string>> = {};
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const mode of (round % 2 ? ['bypass', 'rls'] : ['rls', 'bypass']) as Mode[]) {
        await setBypass(database, mode === 'bypass');
        // A fresh server per mode: no connection or plan survives from the other mode.
        const server = await startProduct(database, secrets, await freePort(), `graphql-${tag}-${mode}`.replace(/[^\w-]+/g, '-'), graphqlBenchEnv(options));
        try {
          answers[mode] ??= await answer(server.url, workload);
          const result = await runLoad({
            url: server.url,
            path: '/graphql',
            connections: options.connections,
            warmupSeconds: options.warmupSeconds,
            durationSeconds: options.durationSeconds,
            fixed: workload.requests,
          });
          console.log(`  ${tag} round ${round + 1}/${options.rounds}: ${mode === 'rls' ? 'JWT + RLS' : 'RLS bypassed'} ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99} ms`);
          if (result.non2xx || result.errors) throw new Error(`/graphql answered ${result.non2xx} non-2xx and ${result.errors} errors under load`);
          results[mode].push(result);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await setBypass(database, false);
  }
  if (answers.rls !== answers.bypass) throw new Error(`${tag}: the query answers differently with RLS bypassed: the comparison would not be fair`);
  const summary = (runs: LoadResult[]): LoadResult => ({
    ...runs[0],
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p50: median(runs.map((run) => run.p50)),
    p90: median(runs.map((run) => run.p90)),
    p99: median(runs.map((run) => run.p99)),
  });
  return {
    rls: summary(results.rls),
    bypass: summary(results.bypass),
    ratio: pairedRatio(results.rls.map((run) => run.requestsPerSecond), results.bypass.map((run) => run.requestsPerSecond)),
  };
}

export const DRIVER_LOADS_QUERY = `query DriverLoads($driverId: UUID!) {
  loads(condition: { driverId: $driverId }, first: 20) {
    nodes { id loadNumber status customerName originCity originState destinationCity destinationState pickupScheduledAt deliveryScheduledAt estimatedMiles }
  }
}`;

export const DISPATCH_BOARD_QUERY = `query DispatchBoard($organizationId: String!) {
  loads(condition: { organizationId: $organizationId }, first: 50) {
    nodes { id loadNumber status customerName pickupScheduledAt deliveryScheduledAt driver { id firstName lastName status } vehicle { unitNumber status } }
  }
  drivers(condition: { organizationId: $organizationId }) { nodes { id firstName lastName status } }
}`;

export const UPDATE_LOAD_MUTATION = `mutation UpdateLoad($id: UUID!, $notes: String) {
  updateLoad(input: { id: $id, patch: { notes: $notes } }) { load { id } }
}`;

const fleetToken = (secrets: ProductSecrets, userId: string, organizationId: string, role: string, permissions: string[]) =>
  secrets.tokens.sign({ sub: userId, sid: `sess_${userId}`, org_id: organizationId, org_role: role, org_slug: organizationId, v: 1,
                        org_permissions: permissions.filter((key) => !key.startsWith('org:sys_')) });

function driverLoads(secrets: ProductSecrets): Workload {
  return {
    requests: Array.from({ length: BENCH_ORGANIZATIONS }, (_, n) => {
      const tenant = fleetTenant(n);
      return post(fleetToken(secrets, tenant.driverUserId, tenant.organizationId, 'org:driver', DRIVER_PERMISSIONS), DRIVER_LOADS_QUERY, { driverId: tenant.driverId });
    }),
    check: (body) => {
      const nodes = body.data?.loads?.nodes ?? [];
      if (nodes.length !== 20) throw new Error(`the driver's loads page did not return 20 loads: ${JSON.stringify(body).slice(0, 500)}`);
      return JSON.stringify(body);
    },
  };
}

function dispatchBoard(secrets: ProductSecrets): Workload {
  return {
    requests: Array.from({ length: BENCH_ORGANIZATIONS }, (_, n) => {
      const tenant = fleetTenant(n);
      return post(fleetToken(secrets, tenant.dispatcherId, tenant.organizationId, 'org:dispatcher', DISPATCHER_PERMISSIONS), DISPATCH_BOARD_QUERY, { organizationId: tenant.organizationId });
    }),
    check: (body) => {
      const loads = body.data?.loads?.nodes ?? [];
      if (loads.length !== 50 || !loads.some((node: { driver: unknown }) => node.driver) || (body.data?.drivers?.nodes ?? []).length !== 10) {
        throw new Error(`the dispatcher's board did not return 50 loads (some with drivers) and 10 drivers: ${JSON.stringify(body).slice(0, 500)}`);
      }
      return JSON.stringify(body);
    },
  };
}

async function loadUpdates(database: BenchDatabase, secrets: ProductSecrets): Promise<Workload> {
  const requests: BenchRequest[] = [];
  for (let n = 0; n < BENCH_ORGANIZATIONS; n++) {
    const tenant = fleetTenant(n);
    const token = fleetToken(secrets, tenant.dispatcherId, tenant.organizationId, 'org:dispatcher', DISPATCHER_PERMISSIONS);
    for (const [i, id] of (await loadIdsOf(database, n)).entries()) requests.push(post(token, UPDATE_LOAD_MUTATION, { id, notes: `call ahead (${i})` }));
  }
  return {
    requests,
    check: (body) => {
      const id = body.data?.updateLoad?.load?.id;
      if (!id) throw new Error(`the load update returned no load: ${JSON.stringify(body).slice(0, 500)}`);
      return id;
    },
  };
}

export function graphqlRows(label: string, figures: GraphqlFigures) {
  return [
    [`${label}: JWT + RLS`, figures.rls.requestsPerSecond, figures.rls.p50, figures.rls.p99, figures.ratio],
    [`${label}: RLS bypassed`, figures.bypass.requestsPerSecond, figures.bypass.p50, figures.bypass.p99, 1],
  ];
}

export const GRAPHQL_HEADER = ['run', 'req/s', 'p50 ms', 'p99 ms', '÷ RLS bypassed'];

/** The small tenant data set: 1,000 users, 100 organizations, 1,000 memberships. */
export const SMALL_TENANTS = { users: 1000, organizations: 100, memberships: 1000 };

export async function graphql(options: BenchOptions): Promise<void> {
  console.log('starting a fresh embedded Postgres with the committed migrations …');
  const database = await startBenchDatabase();
  try {
    await generateTenants(database, SMALL_TENANTS);
    await generateFleet(database);
    const secrets = productSecrets();
    const figures = await measureGraphql(database, secrets, options, '1k users');
    const driver = await measureWorkload(database, secrets, options, 'driver loads', driverLoads(secrets));
    const board = await measureWorkload(database, secrets, options, 'dispatch board', dispatchBoard(secrets));
    const update = await measureWorkload(database, secrets, options, 'load update', await loadUpdates(database, secrets));
    printTable(
      `graphql: organization page (organization + ${MEMBERS_PER_BENCH_ORGANIZATION} memberships with users), ${BENCH_ORGANIZATIONS} organizations' admins in turn; ` +
        `fleet: a driver's 20 loads, a dispatcher's board (50 loads with driver and vehicle, 10 drivers), a dispatcher's load update mutation ` +
        `(${BENCH_ORGANIZATIONS} organizations of 400 loads); ${options.connections} in flight (GRAPHQL_MAX_CONCURRENT=${options.connections}), ${options.durationSeconds} s after ${options.warmupSeconds} s warm-up, ` +
        `median of ${options.rounds} round(s), 1,000 users, ${machineLoad()} at the end`,
      GRAPHQL_HEADER,
      [...graphqlRows('organization page', figures), ...graphqlRows("driver's loads", driver), ...graphqlRows("dispatcher's board", board), ...graphqlRows('load update mutation', update)],
    );
    printTable('graphql targets', VERDICT_HEADER, [
      verdict('organization page: JWT + RLS ÷ RLS bypassed', figures.ratio, '>=', 0.85),
      verdict("driver's loads: JWT + RLS ÷ RLS bypassed", driver.ratio, '>=', 0.85),
      verdict("dispatcher's board: JWT + RLS ÷ RLS bypassed", board.ratio, '>=', 0.85),
    ]);
  } finally {
    await database.stop();
  }
}
