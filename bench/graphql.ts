// `npm run bench -- graphql`: the organization page query (the organization, its 50 memberships
// and their users' profiles) through /graphql with a verified Clerk JWT and row-level security,
// vs the very same server, token and query with RLS bypassed (the `authenticated` role given
// BYPASSRLS between runs), so the ratio is the cost of the policies alone.
import { freePort } from '../support/ports.ts';
import { startBenchDatabase, type BenchDatabase } from './lib/database.ts';
import type { LoadResult } from './lib/loadWorker.ts';
import { productSecrets, startProduct, type ProductSecrets } from './lib/product.ts';
import { runLoad } from './lib/processes.ts';
import { machineLoad, median, pairedRatio, printTable, verdict, VERDICT_HEADER } from './lib/report.ts';
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

/** One answer of the query, to check both modes answer the same before timing them. */
async function answer(url: string, token: string, organizationId: string): Promise<string> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: ORGANIZATION_PAGE_QUERY, variables: { id: organizationId } }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/graphql answered ${response.status}: ${text.slice(0, 500)}`);
  const body = JSON.parse(text);
  const nodes = body.data?.organization?.organizationMemberships?.nodes ?? [];
  if (body.errors || nodes.length !== MEMBERS_PER_BENCH_ORGANIZATION || nodes.some((node: { user: unknown }) => !node.user)) {
    throw new Error(`the organization page query did not return ${MEMBERS_PER_BENCH_ORGANIZATION} memberships with their users: ${text.slice(0, 500)}`);
  }
  return text;
}

/** Measures both modes, interleaved per round, on the data already in `database`. */
export async function measureGraphql(database: BenchDatabase, secrets: ProductSecrets, options: BenchOptions, tag: string): Promise<GraphqlFigures> {
  const tokens = Array.from({ length: BENCH_ORGANIZATIONS }, (_, n) => sessionToken(secrets, n));
  const requests = tokens.map((token, n) => ({
    method: 'POST' as const,
    body: JSON.stringify({ query: ORGANIZATION_PAGE_QUERY, variables: { id: benchTenant(n).organizationId } }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  }));
  // Fresh statistics: with a users table grown since the last analyze, the planner may scan it whole.
  await database.sql('analyze');
  const results: Record<Mode, LoadResult[]> = { rls: [], bypass: [] };
  const answers: Partial<Record<Mode, string>> = {};
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const mode of (round % 2 ? ['bypass', 'rls'] : ['rls', 'bypass']) as Mode[]) {
        await setBypass(database, mode === 'bypass');
        // A fresh server per mode: no connection or plan survives from the other mode.
        const server = await startProduct(database, secrets, await freePort(), `graphql-${tag}-${mode}`);
        try {
          answers[mode] ??= await answer(server.url, tokens[0], benchTenant(0).organizationId);
          const result = await runLoad({
            url: server.url,
            path: '/graphql',
            connections: options.connections,
            warmupSeconds: options.warmupSeconds,
            durationSeconds: options.durationSeconds,
            fixed: requests,
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
  if (answers.rls !== answers.bypass) throw new Error('the query answers differently with RLS bypassed: the comparison would not be fair');
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
    const figures = await measureGraphql(database, productSecrets(), options, '1k users');
    printTable(
      `graphql: organization page (organization + ${MEMBERS_PER_BENCH_ORGANIZATION} memberships with users), ${BENCH_ORGANIZATIONS} organizations' admins in turn, ` +
        `${options.connections} in flight, ${options.durationSeconds} s after ${options.warmupSeconds} s warm-up, median of ${options.rounds} round(s), 1,000 users, ${machineLoad()} at the end`,
      GRAPHQL_HEADER,
      graphqlRows('1k users', figures),
    );
    printTable('graphql targets', VERDICT_HEADER, [verdict('JWT + RLS ÷ RLS bypassed', figures.ratio, '>=', 0.85)]);
  } finally {
    await database.stop();
  }
}
