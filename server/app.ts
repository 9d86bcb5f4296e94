// The Express application: routes only. Building it needs no network, so tests and the
// entry point construct it the same way.
import express from 'express';
import type { GraphqlWebsockets } from './graphql/live/websockets.ts';
import { healthRouter } from './health.ts';
import { createMetrics } from './observability/metrics.ts';
import { requestLogging } from './observability/requestLogging.ts';
import { createVerificationLimiter } from './observability/verificationLimiter.ts';
import type { AppServices } from './services.ts';
import { clerkWebhookRouter } from './webhooks/clerkWebhookRouter.ts';

export const WEBHOOK_PATH = '/api/webhooks/clerk';

/** The Express app, plus its websocket side (none without GraphQL): attach it to the HTTP server, close it before the pools. */
export type App = express.Express & { websockets: GraphqlWebsockets };

const NO_WEBSOCKETS: GraphqlWebsockets = {
  attach: () => undefined,
  close: async () => undefined,
  stats: () => ({ connections: 0, subscriptions: 0, channels: 0 }),
  isListening: () => false,
};

/**
 * The routes `config.serve` asks for, plus health and metrics. With `metricsApp`, /metrics is
 * served there (its own port) instead of on the API. The GraphQL side (PostGraphile, the session
 * token verifier, the admin routes) is loaded only when served: a webhook-only process never
 * holds it in memory.
 */
export async function createApp(services: AppServices, metricsApp?: express.Express): Promise<App> {
  const { serve } = services.config;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', services.config.trustProxy);
  const metrics = createMetrics(services.pools, services.expectedMigrations);
  const verificationLimiter = createVerificationLimiter(services.config.webhookFailureLimit, metrics);
  app.use(requestLogging(services.logger));
  if (serve.webhooks) {
    app.use(WEBHOOK_PATH, metrics.observeDeliveries);
    // Before any JSON parser: the signature covers the raw bytes.
    app.use(WEBHOOK_PATH, clerkWebhookRouter(services, verificationLimiter));
  }
  app.use(healthRouter(services.pools, services.expectedMigrations));
  (metricsApp ?? app).use(metrics.router());
  let websockets = NO_WEBSOCKETS;
  if (serve.graphql) {
    app.use('/graphql', metrics.observeGraphql);
    // One verifier for every route that takes a session token.
    const [{ adminRouter }, { createSessionTokenVerifier }, { mountGraphql }] = await Promise.all([
      import('./admin/routes.ts'),
      import('./auth/verifySessionToken.ts'),
      import('./graphql/index.ts'),
    ]);
    const verifySessionToken = createSessionTokenVerifier(services.config.clerk);
    websockets = mountGraphql(app, services, verifySessionToken, metrics);
    app.use(adminRouter(services, verifySessionToken));
  }
  // Anything else: JSON like every other answer, not Express's HTML page.
  app.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });
  return Object.assign(app, { websockets });
}
