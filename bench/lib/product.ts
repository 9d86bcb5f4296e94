// The product under test: `node server/main.ts` as it runs in production, over the benchmark's
// database, with a webhook secret and a JWT key made for the run.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { BenchDatabase } from './database.ts';
import { createTokenSigner, type TokenSigner } from './jwt.ts';
import { startServer, type ServerProcess } from './processes.ts';

export interface ProductSecrets {
  webhookSecret: string;
  tokens: TokenSigner;
}

export function productSecrets(): ProductSecrets {
  return { webhookSecret: `whsec_${randomBytes(24).toString('base64')}`, tokens: createTokenSigner() };
}

/** `env` adds to (or overrides) the production settings, e.g. a GraphQL concurrency bound. */
export function startProduct(database: BenchDatabase, secrets: ProductSecrets, port: number, logName = 'product', env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  return startServer({
    args: ['server/main.ts'],
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.ownerUrl,
      AUTH_DATABASE_URL: database.authUrl,
      CLERK_WEBHOOK_SIGNING_SECRET: secrets.webhookSecret,
      CLERK_JWT_KEY: secrets.tokens.publicKeyPem,
      ...env,
    },
    port,
    readyPath: '/readyz',
    logFile: path.join(database.dataDir, `${logName}.log`),
  });
}
