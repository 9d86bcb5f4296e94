// The Express application: routes only. Building it needs no network, so tests and the
// entry point construct it the same way.
import express from 'express';
import { adminRouter } from './admin/routes.ts';
import { createSessionTokenVerifier } from './auth/verifySessionToken.ts';
import { mountGraphql } from './graphql/index.ts';
import { healthRouter } from './health.ts';
import { createMetrics } from './observability/metrics.ts';
import { requestLogging } from './observability/requestLogging.ts';
import { createVerificationLimiter } from './observability/verificationLimiter.ts';
import type { AppServices } from './services.ts';
import { clerkWebhookRouter } from './webhooks/clerkWebhookRouter.ts';

export const WEBHOOK_PATH = '/api/webhooks/clerk';

export function createApp(services: AppServices): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', services.config.trustProxy);
  const metrics = createMetrics(services.pools, services.expectedMigrations);
  const verificationLimiter = createVerificationLimiter(services.config.webhookFailureLimit, metrics);
  app.use(requestLogging(services.logger));
  app.use(WEBHOOK_PATH, metrics.observeDeliveries);
  app.use('/graphql', metrics.observeGraphql);
  // Before any JSON parser: the signature covers the raw bytes.
  app.use(WEBHOOK_PATH, clerkWebhookRouter(services, verificationLimiter));
  app.use(healthRouter(services.pools, services.expectedMigrations));
  app.use(metrics.router());
  // One verifier for every route that takes a session token.
  const verifySessionToken = createSessionTokenVerifier(services.config.clerk);
  mountGraphql(app, services, verifySessionToken);
  app.use(adminRouter(services, verifySessionToken));
  return app;
}
