// Mounts the GraphQL API on the Express app: the app's session-token gate on /graphql first, then
// PostGraphile (and Ruru at /graphiql outside production).
import cors from 'cors';
import type express from 'express';
import { postgraphile } from 'postgraphile';
import { grafserv } from 'postgraphile/grafserv/express/v4';
import { bearerAuth, claimsOf } from '../auth/bearerAuth.ts';
import type { SessionTokenVerifier } from '../auth/verifySessionToken.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { AppServices } from '../services.ts';
import { createMaskError } from './maskError.ts';
import { liveSessionOf } from './live/session.ts';
import { createGraphqlWebsockets, type GraphqlWebsockets } from './live/websockets.ts';
import { GRAPHQL_PATH, graphqlPreset } from './preset.ts';
import { requestBoundsPlugin } from './requestBounds.ts';

export function mountGraphql(
  app: express.Express,
  services: Pick<AppServices, 'config' | 'logger' | 'pools'>,
  verifySessionToken: SessionTokenVerifier,
  metrics: Metrics,
): GraphqlWebsockets {
  const { config, logger, pools } = services;
  if (!config.clerk.jwtKey && !config.clerk.secretKey) {
    logger.warn('neither CLERK_JWT_KEY nor CLERK_SECRET_KEY is set: /graphql answers anonymous requests only, every Bearer token gets 401');
  } else if (config.production && !config.clerk.authorizedParties.length) {
    logger.warn('CLERK_AUTHORIZED_PARTIES is not set: session tokens issued for any origin (azp) are accepted');
  }
  const limits = config.graphql;
  const requestBounds = requestBoundsPlugin(
    { maxConcurrent: limits.maxConcurrent, maxQueued: limits.maxQueued, budgetMs: limits.requestTimeoutMs, maxResponseBytes: limits.maxResponseBytes },
    GRAPHQL_PATH,
    (reason) => metrics.graphqlRefusals.inc({ reason }),
  );
  metrics.observeGraphqlLoad(requestBounds.load);
  const pgl = postgraphile(
    graphqlPreset({
      pool: pools.auth,
      claimsOf,
      liveSessionOf,
      graphiql: !config.production,
      maskError: createMaskError(logger, limits),
      costLimits: { maxDepth: limits.maxDepth, maxSelections: limits.maxSelections, maxFanOut: limits.maxFanOut, assumedPageSize: limits.assumedPageSize },
      requestBounds,
      anonymousIntrospection: limits.anonymousIntrospection,
      statementTimeoutMs: limits.statementTimeoutMs,
      planningTimeoutMs: limits.planningTimeoutMs,
      executionTimeoutMs: limits.requestTimeoutMs,
    }),
  );
  if (config.corsOrigins.length) {
    // Before bearerAuth, so a refused token's 401 still reaches the page. Bearer tokens, not
    // cookies: no credentials. An origin not listed gets no CORS header at all.
    const allowed = new Set(config.corsOrigins);
    app.use(GRAPHQL_PATH, (_req, res, next) => {
      res.vary('Origin');
      next();
    }, cors({
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    }));
  }
  app.use(GRAPHQL_PATH, bearerAuth(verifySessionToken));
  const serv = pgl.createServ(grafserv);
  // Without grafserv's own websocket handler addTo installs the HTTP handler synchronously; the
  // pool it uses is pools.auth, closed by pools.end(). Websockets are served by our handler (the
  // same verifier, through authenticate), whose LISTEN connection the caller releases with close().
  serv.addTo(app, null, false).catch((error: unknown) => logger.error({ err: error }, 'could not mount GraphQL'));
  return createGraphqlWebsockets({ path: GRAPHQL_PATH, serv, config, pool: pools.auth, listenClient: pools.listenClient, verify: verifySessionToken, logger });
}
