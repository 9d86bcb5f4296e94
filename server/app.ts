// The Express application: routes only. Building it needs no network, so tests and the
// entry point construct it the same way.
import express from 'express';
import { adminRouter } from './admin/routes.ts';
import type { Config } from './config.ts';
import type { DatabasePools } from './database/pools.ts';
import { mountGraphql } from './graphql/index.ts';
import { healthRouter } from './health.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { requestLogging } from './observability/requestLogging.ts';
import { createVerificationLimiter } from './observability/verificationLimiter.ts';
import { clerkWebhookRouter } from './webhooks/clerkWebhookRouter.ts';

export interface AppServices {
  config: Config;
  logger: Logger;
  pools: DatabasePools;
  expectedMigrations: string[];
}

export const WEBHOOK_PATH = '/api/webhooks/clerk';

/**
 * The routes `config.serve` asks for, plus health and metrics. With `metricsApp`, /metrics is
 * served there (its own port) instead of on the API.
 */
export function createApp(services: AppServices, metricsApp?: express.Express): express.Express {
  const { serve } = services.config;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', services.config.trustProxy);
  const metrics = createMetrics(services.pools);
  const verificationLimiter = createVerificationLimiter(services.config.webhookFailureLimit, metrics);
  app.use(requestLogging(services.logger));
  if (serve.webhooks) {
    app.use(WEBHOOK_PATH, metrics.observeDeliveries);
    // Before any JSON parser: the signature covers the raw bytes.
    app.use(WEBHOOK_PATH, clerkWebhookRouter(services, verificationLimiter));
  }
  app.use(healthRouter(services.pools, services.expectedMigrations));
  (metricsApp ?? app).use(metrics.router());
  if (serve.graphql) {
    app.use('/graphql', metrics.observeGraphql);
    mountGraphql(app, services, metrics);
    app.use(adminRouter(services));
  }
  return app;
}
