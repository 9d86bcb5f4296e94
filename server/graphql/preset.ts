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
import { anonymousSurfacePlugin } from './anonymousSurface.ts';
import { costLimitsPlugin, DEFAULT_COST_LIMITS, type CostLimits } from './costLimits.ts';
import { KnownOperationTypesPlugin } from './knownOperationTypes.ts';
import { LiveSubscriptionsPlugin } from './live/subscriptions.ts';
import type { RequestBoundsPlugin } from './requestBounds.ts';
import { AppPublicShapePreset } from './schemaShape.ts';

export const GRAPHQL_PATH = '/graphql';
export const GRAPHIQL_PATH = '/graphiql';

export interface GraphqlPresetOptions {
  /** The server's visitor pool (AUTH_DATABASE_URL); PostGraphile borrows it and never ends it. */
  pool: pg.Pool;
  claimsOf: (req: IncomingMessage) => SessionClaims | null;
  /** The live session of a websocket connection (what subscription fields listen to); absent over HTTP. */
  liveSessionOf?: (req: IncomingMessage) => Grafast.Context['live'];
  graphiql: boolean;
  maskError?: (error: GraphQLError) => GraphQLError;
  /** Refused during validation; the defaults when omitted. */
  costLimits?: CostLimits;
  /** Concurrency, wall-clock and response-size bounds around each request (the server's own). */
  requestBounds?: RequestBoundsPlugin;
  /** False: no introspection and no "Did you mean" hints for visitors without a token. */
  anonymousIntrospection?: boolean;
  /** Per-statement limit for visitor queries, set per transaction (so it also holds behind a pooler). */
  statementTimeoutMs?: number;
  /** Grafast's planning limit (it allows a few times more while the JIT warms up). */
  planningTimeoutMs?: number;
  /** Grafast stops starting asynchronous steps after this long. */
  executionTimeoutMs?: number;
}

export function graphqlPreset(options: GraphqlPresetOptions): GraphileConfig.Preset {
  return {
    extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset, AppPublicShapePreset],
    plugins: [
      KnownOperationTypesPlugin,
      LiveSubscriptionsPlugin,
      costLimitsPlugin(options.costLimits ?? DEFAULT_COST_LIMITS),
      ...(options.requestBounds ? [options.requestBounds] : []),
      ...(options.anonymousIntrospection === false ? [anonymousSurfacePlugin((req) => options.claimsOf(req) === null, GRAPHQL_PATH)] : []),
    ],
    pgServices: [
      makePgService({
        pool: options.pool,
        schemas: ['app_public'],
        pubsub: false,
        pgSettings: (requestContext) => ({
          // Over HTTP the request, over websockets the upgrade request of the connection, carries the claims.
          ...pgSettingsFor(requestContext.node?.req ?? requestContext.ws?.request ? options.claimsOf((requestContext.node?.req ?? requestContext.ws?.request)!) : null),
          ...(options.statementTimeoutMs ? { statement_timeout: String(options.statementTimeoutMs) } : {}),
        }),
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
      // Served by server/graphql/live/websockets.ts (authentication and bounds), not grafserv's own handler.
      websockets: true,
      ...(options.maskError ? { maskError: options.maskError } : {}),
    },
    grafast: {
      explain: false,
      context: (requestContext) => ({ live: requestContext.ws?.request ? options.liveSessionOf?.(requestContext.ws.request) : undefined }),
      timeouts: {
        ...(options.planningTimeoutMs ? { planning: options.planningTimeoutMs } : {}),
        ...(options.executionTimeoutMs ? { execution: options.executionTimeoutMs } : {}),
      },
    },
  };
}
