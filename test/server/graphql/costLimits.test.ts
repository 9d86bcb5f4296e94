// Operations too expensive to plan are refused during validation, over HTTP, by the real server in
// production mode: fast, with HTTP 400 and a code saying which limit, and the process keeps serving.
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { COST_LIMIT_CODES } from '../../../server/graphql/costLimits.ts';
import { endTestPools } from '../../helpers/db.ts';
import { aliasedRelation, fragmentDoubling, nestedRelations, startProductionServer, type ProductionServer } from '../../helpers/productionServer.ts';
import { ORG, USER } from '../../helpers/tenancyWorld.ts';

jest.setTimeout(120_000);

let api: ProductionServer;
let member: string;
beforeAll(async () => {
  api = await startProductionServer('graphql_cost_limits');
  member = api.tokenFor(USER.bob, ORG.acme, 'org:member');
  // The first request of a process waits for the schema; the limits are about every later one.
  expect((await api.graphql('{ __typename }')).status).toBe(200);
}, 90_000);
afterAll(async () => {
  await api?.stop();
  await endTestPools();
});

const codesOf = (answer: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) => (answer.body.errors ?? []).map((error) => error.extensions?.code);

it.each([
  ['fragment doubling 14 levels deep (anonymous)', () => fragmentDoubling(14), false, COST_LIMIT_CODES.selections],
  ['fragment doubling 30 levels deep (anonymous)', () => fragmentDoubling(30), false, COST_LIMIT_CODES.selections],
  ['relations nested 7 deep (a signed-in plain member)', () => nestedRelations(7), true, COST_LIMIT_CODES.fanOut],
  ['relations nested 7 deep, one row per page (a signed-in plain member)', () => nestedRelations(7).replaceAll('organizationMemberships', 'organizationMemberships(first: 1)'), true, COST_LIMIT_CODES.depth],
  ['1,000 aliases of a relation (a signed-in plain member)', () => aliasedRelation(1000), true, COST_LIMIT_CODES.selections],
])('%s is refused within 2 s with HTTP 400, and /healthz stays 200', async (_name, query, signedIn, code) => {
  const answer = await api.graphql(query(), { token: signedIn ? member : undefined });
  expect(answer.status).toBe(400);
  expect(answer.body.data).toBeUndefined();
  expect(codesOf(answer)).toContain(code);
  expect(answer.ms).toBeLessThan(2000);
  expect(await api.healthz()).toBe(200);
});

it("a refusal names its limit and what it found; depth is judged once width and fan-out are within bounds", async () => {
  const bomb = await api.graphql(fragmentDoubling(30));
  expect(bomb.body.errors).toHaveLength(1);
  expect(bomb.body.errors?.[0].extensions).toMatchObject({ code: COST_LIMIT_CODES.selections, limit: 250, found: 3 * 2 ** 30 - 2 });
  const narrowButDeep = await api.graphql(nestedRelations(7).replaceAll('organizationMemberships', 'organizationMemberships(first: 1)'), { token: member });
  expect(narrowButDeep.status).toBe(400);
  expect(narrowButDeep.body.errors).toHaveLength(1);
  expect(narrowButDeep.body.errors?.[0].extensions).toMatchObject({ code: COST_LIMIT_CODES.depth, limit: 12, found: 14 });
});

it('repeats of one relation are refused before graphql-js compares them pairwise', async () => {
  const answer = await api.graphql(`{ ${'currentOrganization { id } '.repeat(3000)}}`, { token: member });
  expect(answer.status).toBe(400);
  expect(codesOf(answer)).toEqual([COST_LIMIT_CODES.selections]);
});

it('a wide fan-out is refused even when depth and width are small', async () => {
  const query = '{ currentOrganization { organizationMemberships(first: 1000) { nodes { organization { organizationMemberships(first: 1000) { nodes { id } } } } } } }';
  const answer = await api.graphql(query, { token: member });
  expect(answer.status).toBe(400);
  expect(answer.body.errors?.[0].extensions).toMatchObject({ code: COST_LIMIT_CODES.fanOut, limit: 10_000, found: 1_000_000 });
  // A variable without a default is costed at the assumed page size (100): 100 × 100 passes.
  const assumed = await api.graphql(query.replaceAll('first: 1000', 'first: $n').replace('{', 'query($n: Int) {'), { token: member, variables: { n: 2 } });
  expect(assumed.status).toBe(200);
  expect(assumed.body.errors).toBeUndefined();
});

it('negative page sizes and offsets are client errors with their own code, never internal errors', async () => {
  const literal = await api.graphql('{ currentOrganization { organizationMemberships(first: -1) { nodes { id } } } }', { token: member });
  expect(literal.status).toBe(400);
  expect(codesOf(literal)).toEqual([COST_LIMIT_CODES.pagination]);
  const variable = await api.graphql('query($o: Int) { currentOrganization { organizationMemberships(offset: $o) { nodes { id } } } }', {
    token: member,
    variables: { o: -5 },
  });
  expect(codesOf(variable)).toEqual([COST_LIMIT_CODES.pagination]);
  // The child writes its log asynchronously: the line may arrive just after the answer.
  const refusedLines = () => api.server.output().split('\n').filter((line) => line.includes('GraphQL request refused'));
  for (let waited = 0; !refusedLines().length && waited < 5000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  const lines = refusedLines();
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(JSON.parse(line)).toMatchObject({ level: 40, code: COST_LIMIT_CODES.pagination });
    expect(line).not.toMatch(/stack|INTERNAL_SERVER_ERROR/);
  }
  expect(api.server.output()).not.toMatch(/"level":50/);
});

it('the README query and the GraphiQL introspection query are within every limit', async () => {
  const { getIntrospectionQuery } = await import('postgraphile/graphql');
  const readme = await api.graphql(
    `{
      currentUser { id firstName email }
      currentOrganization {
        name publicMetadata
        organizationMemberships { nodes { role roleName user { id firstName lastName imageUrl } } }
        auditLogs(first: 20, orderBy: OCCURRED_AT_DESC) { nodes { entityKind action changes occurredAt } }
      }
      hasPermission(permission: "org:sys_memberships:read")
    }`,
    { token: api.tokenFor(USER.alice, ORG.acme, 'org:admin') },
  );
  expect(readme.status).toBe(200);
  expect(readme.body.errors).toBeUndefined();
  expect(readme.body.data.currentOrganization.organizationMemberships.nodes.length).toBeGreaterThan(1);
  const introspection = await api.graphql(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }), { token: member });
  expect(introspection.status).toBe(200);
  expect(introspection.body.data.__schema.queryType.name).toBe('Query');
});

it('in production anonymous visitors get no introspection and no "Did you mean" hints; signed-in visitors get both', async () => {
  const { INTROSPECTION_DISABLED } = await import('../../../server/graphql/anonymousSurface.ts');
  for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { name } }', 'query { ...F } fragment F on Query { ... on Query { __schema { types { name } } } }']) {
    const anonymous = await api.graphql(query);
    expect(anonymous.status).toBe(400);
    expect(codesOf(anonymous)).toEqual([INTROSPECTION_DISABLED]);
    const signedIn = await api.graphql(query, { token: member });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.errors).toBeUndefined();
  }
  expect((await api.graphql('{ __typename currentUserId }')).body).toEqual({ data: { __typename: 'Query', currentUserId: null } });
  const typo = '{ currentUserI }';
  const anonymous = await api.graphql(typo);
  expect(anonymous.status).toBe(400);
  expect(anonymous.body.errors?.[0].message).toBe('Cannot query field "currentUserI" on type "Query".');
  expect((await api.graphql(typo, { token: member })).body.errors?.[0].message).toMatch(/Did you mean .*"currentUserId"/);
});
