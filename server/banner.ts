// What a developer needs on screen after `npm start`: where the product listens, which database
// it uses, the webhook secret when one was just generated, and a command that exercises it all.
import path from 'node:path';
import { WEBHOOK_PATH } from './app.ts';
import type { Config, WebhookSecretSource } from './config.ts';
import type { DatabaseEnvironment } from './database/environment.ts';

const DEFAULT_PORT = 3000;

function describeDatabase(config: Config, database: Pick<DatabaseEnvironment, 'embedded' | 'ownerUrl'>): string {
  if (database.embedded) {
    return `embedded Postgres 17 on 127.0.0.1:${config.database.embeddedPort} (data in ${config.database.dataDir})`;
  }
  const url = new URL(database.ownerUrl);
  return `external ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname} as ${decodeURIComponent(url.username)}`;
}

/** The exact command that reaches this server with the secret it accepts. */
export function sendCommand(config: Config, secret: WebhookSecretSource): string {
  const env = secret.kind !== 'environment' && config.database.dataDir !== path.resolve('.data') ? `DATA_DIR=${config.database.dataDir} ` : '';
  const url = config.port === DEFAULT_PORT ? '' : ` --url http://localhost:${config.port}${WEBHOOK_PATH}`;
  return `${env}npm run webhooks -- send user.created${url}`;
}

export function startupBanner(
  config: Config,
  database: Pick<DatabaseEnvironment, 'embedded' | 'ownerUrl'>,
  secret: WebhookSecretSource,
  developmentTokens = false,
): string {
  const base = `http://localhost:${config.port}`;
  const lines = [
    `clerk-pg-sync is running (${config.nodeEnv})`,
    `  webhooks   POST ${base}${WEBHOOK_PATH}`,
    `  GraphQL    ${base}/graphql   GraphiQL ${base}/graphiql`,
    `  metrics    ${base}/metrics   health ${base}/healthz, ${base}/readyz`,
    `  database   ${describeDatabase(config, database)}`,
  ];
  if (secret.kind === 'generated') {
    lines.push(`  Development webhook signing secret: ${secret.secret}`, `             (generated now, kept in ${path.join(config.database.dataDir, 'dev-secrets.json')}; not shown again)`);
  } else if (secret.kind === 'stored') {
    lines.push(`  webhook secret from ${path.join(config.database.dataDir, 'dev-secrets.json')}`);
  } else {
    lines.push('  webhook secret from CLERK_WEBHOOK_SIGNING_SECRET (the CLI reads it from the environment too)');
  }
  lines.push(config.clerk.instanceIds.length ? `  Clerk instance ${config.clerk.instanceIds.join(', ')} only (CLERK_INSTANCE_ID)` : '  any Clerk instance (set CLERK_INSTANCE_ID to refuse the others)');
  if (developmentTokens) lines.push('  session tokens: development key (no CLERK_JWT_KEY/CLERK_SECRET_KEY); mint one with npm run -s dev:token');
  lines.push('', '  Send a signed test delivery:', `    ${sendCommand(config, secret)}`);
  return `\n${lines.join('\n')}\n`;
}
