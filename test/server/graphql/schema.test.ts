// The GraphQL schema clients get, built with the server's own preset against the migrated test
// database. schema.graphql is its committed SDL: this test fails when the two drift apart, and
// `npm run graphql:schema` (the same test with UPDATE_GRAPHQL_SCHEMA=1) rewrites the file.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeSchema } from 'postgraphile';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'postgraphile/graphql';
import { graphqlPreset } from '../../../server/graphql/preset.ts';
import { endTestPools, getAuthPool } from '../../helpers/db.ts';

const SDL_FILE = path.join(process.cwd(), 'schema.graphql');

let schema: GraphQLSchema;
let sdl: string;
beforeAll(async () => {
  ({ schema } = await makeSchema(graphqlPreset({ pool: getAuthPool(), claimsOf: () => null, graphiql: false })));
  sdl = printSchema(lexicographicSortSchema(schema)) + '\n';
});
afterAll(endTestPools);

describe('the GraphQL schema', () => {
  it('matches the committed schema.graphql', () => {
    if (process.env.UPDATE_GRAPHQL_SCHEMA) {
      writeFileSync(SDL_FILE, sdl);
      return;
    }
    let committed = '';
    try {
      committed = readFileSync(SDL_FILE, 'utf8');
    } catch {
      throw new Error('schema.graphql is missing: run `npm run graphql:schema` and commit it');
    }
    try {
      expect(sdl).toEqual(committed);
    } catch (error) {
      (error as Error).message = `schema.graphql is not the schema the code builds: run \`npm run graphql:schema\`, review the diff and commit it.\n${(error as Error).message}`;
      throw error;
    }
  });

  it('has mutations for the tenant tables only: synced data changes only through Clerk', () => {
    const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {}).sort();
    const tenantTypes = ['ComplianceDocument', 'Driver', 'IftaReport', 'Load', 'Vehicle'];
    expect(mutations).toEqual(['create', 'delete', 'update'].flatMap((verb) => tenantTypes.map((type) => `${verb}${type}`)));
  });

  it('exposes no internals', () => {
    expect(sdl).not.toMatch(/privateMetadata|webhookEvent|syncedAt|currentClaims|permissionsInClaims/i);
  });
});
