// Entry point of `npm start`: validate configuration, find or start the database, migrate,
// serve, and shut down in order (stop accepting, drain, close pools, stop Postgres).
import { createServer, type Server, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import express from 'express';
import { createApp } from './app.ts';
import { startupBanner, type WebhookSecretSource } from './banner.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { resolveDatabase, type DatabaseEnvironment } from './database/environment.ts';
import { applyMigrations, committedMigrations } from './database/migrations.ts';
import { createPools, type DatabasePools } from './database/pools.ts';
import { loadDevSecrets } from './devSecrets.ts';
import { sessionTokenPublicKey } from './devSessionToken.ts';
import { createLogger, type Logger } from './logger.ts';

/** Outside production a missing webhook secret is replaced by a stable generated one. */
function ensureWebhookSecret(config: Config, logger: Logger): WebhookSecretSource {
  if (config.clerk.webhookSecrets.length) return { kind: 'environment' };
  const { secrets, generated } = loadDevSecrets(config.database.dataDir);
  config.clerk.webhookSecrets = [secrets.webhookSigningSecret];
  if (generated.includes('webhookSigningSecret')) {
    logger.warn('CLERK_WEBHOOK_SIGNING_SECRET is not set: generated a development secret (kept in .data/dev-secrets.json, printed only this once)');
    return { kind: 'generated', secret: secrets.webhookSigningSecret };
  }
  logger.warn('CLERK_WEBHOOK_SIGNING_SECRET is not set: using the development secret from .data/dev-secrets.json');
  return { kind: 'stored' };
}

/**
 * Outside production, with no way to verify Clerk's tokens configured, session tokens are
 * verified with the development key that `npm run dev:token` signs with.
 */
function ensureSessionTokenKey(config: Config, logger: Logger): boolean {
  if (config.production || config.clerk.jwtKey || config.clerk.secretKey) return false;
  const { secrets } = loadDevSecrets(config.database.dataDir);
  config.clerk.jwtKey = sessionTokenPublicKey(secrets.sessionTokenPrivateKey);
  logger.warn('CLERK_JWT_KEY and CLERK_SECRET_KEY are not set: /graphql verifies development tokens (npm run dev:token) with the key in .data/dev-secrets.json');
  return true;
}

/**
 * `npm start -- --only webhooks|graphql` runs one side of the product (SERVE_ONLY does the same),
 * so a deployment can scale and isolate them; without it one process serves both.
 */
function environmentWithArguments(argv: string[]): NodeJS.ProcessEnv {
  const { values } = parseArgs({ args: argv, options: { only: { type: 'string' } }, strict: true });
  return values.only === undefined ? process.env : { ...process.env, SERVE_ONLY: values.only };
}

/**
 * A slow client is cut once receiving its request (headers, then the whole body) takes longer than
 * the limits; Node checks them every second instead of every 30.
 */
function listen(app: express.Express, port: number, config: Config): Promise<Server> {
  const server = createServer(
    { requestTimeout: config.http.requestTimeoutMs, headersTimeout: config.http.headersTimeoutMs, connectionsCheckingInterval: 1000 },
    app,
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Responses not yet answered; shutdown needs them because keep-alive connections outlive close(). */
function trackResponses(server: Server): Set<ServerResponse> {
  const open = new Set<ServerResponse>();
  server.prependListener('request', (_req, res: ServerResponse) => {
    open.add(res);
    res.once('close', () => open.delete(res));
  });
  return open;
}

/**
 * Stops accepting connections and lets every request already received finish. A keep-alive
 * client could keep sending on its open connection while we drain, so each answer given from
 * now on carries `Connection: close` and the connection ends after it. Requests still running
 * after the timeout lose their connection: their client sees no answer (never a 2xx for work
 * that did not commit) and Svix retries.
 */
async function closeServer(server: Server, open: Set<ServerResponse>, timeoutMs: number): Promise<void> {
  const closeAfterAnswer = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  open.forEach(closeAfterAnswer);
  server.prependListener('request', (_req, res: ServerResponse) => closeAfterAnswer(res));
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const forced = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(forced);
}

async function main(): Promise<void> {
  const config = loadConfig(environmentWithArguments(process.argv.slice(2)));
  const logger = createLogger();
  const webhookSecret = ensureWebhookSecret(config, logger);
  const developmentTokens = ensureSessionTokenKey(config, logger);

  let database: DatabaseEnvironment | undefined;
  let pools: DatabasePools | undefined;
  let server: Server | undefined;
  let metricsServer: Server | undefined;
  let openResponses = new Set<ServerResponse>();
  let stopping = false;
  let started = false;
  const teardown = async () => {
    try {
      if (server) await closeServer(server, openResponses, config.shutdownTimeoutMs);
      if (metricsServer) await closeServer(metricsServer, new Set(), config.shutdownTimeoutMs);
      await pools?.end();
      await database?.stop();
      logger.info('stopped');
    } catch (error) {
      logger.error({ err: error }, 'shutdown did not complete cleanly');
      process.exitCode = 1;
    }
    process.exit();
  };
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    // During start-up the teardown waits until what is being started exists.
    if (started) void teardown();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  database = await resolveDatabase(config, (line) => logger.info(line));
  await applyMigrations(database, (line) => logger.info(line));
  pools = createPools(database, logger);
  const metricsApp = config.metricsPort === undefined ? undefined : express();
  const app = createApp({ config, logger, pools, expectedMigrations: committedMigrations() }, metricsApp);
  server = await listen(app, config.port, config);
  openResponses = trackResponses(server);
  if (metricsApp) metricsServer = await listen(metricsApp, config.metricsPort!, config);
  const serving = config.serve.webhooks && config.serve.graphql ? 'webhooks and graphql' : config.serve.webhooks ? 'webhooks only' : 'graphql only';
  logger.info(
    { port: config.port, metricsPort: config.metricsPort, serving, database: database.embedded ? `embedded Postgres (${config.database.dataDir})` : 'external' },
    `clerk-pg-sync listening on http://localhost:${config.port} (${serving})`,
  );
  if (!config.production) console.log(startupBanner(config, database, webhookSecret, developmentTokens));
  started = true;
  if (stopping) await teardown();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(`clerk-pg-sync could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
