// The PostGraphile configuration, shared by the server and by the schema export, so the committed
// SDL is the schema clients get. It exposes app_public only, read-only unless a table opts in, and
// turns each request's verified claims into transaction-local Postgres settings.
import type { IncomingMessage } from 'node:http';
import { PgSimplifyInflectionPreset } from '@graphile/simplify-inflection';
import type pg from 'pg';
import { makePgService } from 'postgraphile/adaptors/pg';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import type { GraphQLError } from 'postgraphile/graphql';
import { pgSettingsFor } from '../auth/pgSettings.ts';
import type { SessionClaims } from '../auth/verifySessionToken.ts';
import { KnownOperationTypesPlugin } from './knownOperationTypes.ts';
import { AppPublicShapePreset } from './schemaShape.ts';

export const GRAPHQL_PATH = '/graphql';
export const GRAPHIQL_PATH = '/graphiql';

export interface GraphqlPresetOptions {
  /** The server's visitor pool (AUTH_DATABASE_URL); PostGraphile borrows it and never ends it. */
  pool: pg.Pool;
  claimsOf: (req: IncomingMessage) => SessionClaims | null;
  graphiql: boolean;
  maskError?: (error: GraphQLError) => GraphQLError;
}

export function graphqlPreset(options: GraphqlPresetOptions): GraphileConfig.Preset {
  return {
    extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset, AppPublicShapePreset],
    plugins: [KnownOperationTypesPlugin],
    pgServices: [
      makePgService({
        pool: options.pool,
        schemas: ['app_public'],
        pubsub: false,
        pgSettings: (requestContext) => pgSettingsFor(requestContext.node ? options.claimsOf(requestContext.node.req) : null),
        // Introspect with the privileges of a signed-in visitor: what they cannot touch is not in the schema.
        pgSettingsForIntrospection: { role: 'authenticated' },
      }),
    ],
    schema: {
      // Clerk is the source of truth for synced data: a table gets mutations only by opting in
      // (`@behavior +insert +update +delete` in its comment); the columns of one that does are
      // writable as far as their grants allow.
      defaultBehavior: '-insert -update -delete +attribute:insert +attribute:update',
    },
    grafserv: {
      graphqlPath: GRAPHQL_PATH,
      graphiql: options.graphiql,
      graphiqlPath: GRAPHIQL_PATH,
      graphiqlOnGraphQLGET: false,
      websockets: false,
      ...(options.maskError ? { maskError: options.maskError } : {}),
    },
    grafast: { explain: false },
  };
}
