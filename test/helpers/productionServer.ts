// The real entry point in production mode as a child process, over a database of its own holding
// the two-tenant world, for tests that send what could take a process down: if a limit failed,
// the child would die or stall, not the test runner. The database also gets
// `app_public.slow_answer(seconds)` (pg_sleep behind a GraphQL field), so a test can make a query
// as slow as it needs without a large data set.
import { userEvent } from '../../support/clerkDeliveries.ts';
import { svixSignatureHeaders } from '../../support/svixSignature.ts';
import { TEST_WEBHOOK_SECRET } from './app.ts';
import { freePort } from '../../support/ports.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratchDatabase.ts';
import { startServerProcess, type ServerProcess } from './serverProcess.ts';
import { createWorld, tokenPermissions, type RoleKey } from './tenancyWorld.ts';
import { CLAIM_SHAPES, TEST_AZP, makeSigningKey, signToken } from './tokens.ts';

export interface GraphqlAnswer {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  ms: number;
}

export interface ProductionServer {
  server: ServerProcess;
  database: ScratchDatabase;
  /** Posts one signed delivery; resolves with its status and how long the answer took. */
  deliver(body: string, svixId: string): Promise<{ status: number; ms: number }>;
  tokenFor(userId: string, orgId?: string, role?: RoleKey): string;
  /** Any claims, signed with the key the server trusts. */
  signClaims(claims: Record<string, unknown>): string;
  graphql(query: string, options?: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> }): Promise<GraphqlAnswer>;
  healthz(): Promise<number>;
  stop(): Promise<void>;
}

const SLOW_ANSWER = `
  create function app_public.slow_answer(seconds double precision) returns boolean
    language sql stable as $$ select pg_sleep(seconds) is not null $$;
  comment on function app_public.slow_answer(double precision) is 'Test fixture: answers after sleeping.';
  grant execute on function app_public.slow_answer(double precision) to anonymous, authenticated;
`;

export async function startProductionServer(label: string, env: NodeJS.ProcessEnv = {}): Promise<ProductionServer> {
  const key = makeSigningKey();
  const database = await createScratchDatabase(label);
  const client = await database.owner.connect();
  try {
    await createWorld(client);
    await client.query(SLOW_ANSWER);
  } finally {
    client.release();
  }
  const port = await freePort();
  const server = await startServerProcess(port, database, {
    NODE_ENV: 'production',
    CLERK_JWT_KEY: key.publicPem,
    CLERK_AUTHORIZED_PARTIES: TEST_AZP,
    ...env,
  });
  return {
    server,
    database,
    async deliver(body, svixId) {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/webhooks/clerk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...svixSignatureHeaders(TEST_WEBHOOK_SECRET, svixId, body) },
        body,
      });
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - started };
    },
    signClaims: (claims) => signToken(key, claims),
    tokenFor: (userId, orgId, role) => signToken(key, CLAIM_SHAPES.v1({ userId, orgId, role, permissions: role ? tokenPermissions(role) : undefined })),
    async graphql(query, options = {}) {
      const started = performance.now();
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables: options.variables }),
      });
      const body = (await response.json()) as GraphqlAnswer['body'];
      return { status: response.status, body, ms: performance.now() - started };
    },
    healthz: () => fetch(`${server.url}/healthz`).then((response) => response.status),
    async stop() {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      await database.drop();
    },
  };
}

/** `fragment F0 on Query { a: query { ...F1 } b: query { ...F1 } } … fragment F<depth> on Query { currentUserId }` */
export function fragmentDoubling(depth: number): string {
  const fragments = Array.from({ length: depth }, (_, level) => `fragment F${level} on Query { a: query { ...F${level + 1} } b: query { ...F${level + 1} } }`);
  return ['query Bomb { ...F0 }', ...fragments, `fragment F${depth} on Query { currentUserId }`].join('\n');
}

/** Memberships → organization → memberships …, `levels` relations deep under the active organization. */
export function nestedRelations(levels: number): string {
  let inner = 'id';
  for (let level = 0; level < levels; level++) inner = level % 2 === 0 ? `organization { ${inner} }` : `organizationMemberships { nodes { ${inner} } }`;
  return `{ currentOrganization { organizationMemberships { nodes { ${inner} } } } }`;
}

/** `count` aliases of one relation. */
export function aliasedRelation(count: number): string {
  return `{ ${Array.from({ length: count }, (_, index) => `a${index}: currentOrganization { organizationMemberships { nodes { id } } }`).join(' ')} }`;
}

/** Sorted latencies' percentile (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * The bound deliveries must meet under load: Clerk's 2 s, or three times the slowest delivery of
 * the same server with no GraphQL load at all when the machine itself is that slow (a shared,
 * oversubscribed machine), so the bound measures what GraphQL load adds, not what the machine lacks.
 */
export async function deliveryBound(api: ProductionServer, prefix: string): Promise<{ bound: number; baselineMaxMs: number }> {
  const latencies: number[] = [];
  for (let index = 0; index < 20; index++) {
    const body = JSON.stringify(userEvent('user.created', { key: `${prefix}b${index}`, updatedAt: Date.now() }));
    const { status, ms } = await api.deliver(body, `msg_${prefix}b${index}`);
    if (status !== 200) throw new Error(`a baseline delivery was answered ${status}`);
    latencies.push(ms);
  }
  const baselineMaxMs = Math.round(Math.max(...latencies));
  return { bound: Math.max(2000, 3 * baselineMaxMs), baselineMaxMs };
}
