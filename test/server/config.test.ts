import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { createPools } from '../../server/database/pools.ts';
import { createLogger } from '../../server/logger.ts';

const SECRET = 'whsec_dGVzdC1zZWNyZXQtZm9yLWNsZXJrLXBnLXN5bmM=';
const OTHER_SECRET = 'whsec_b3RoZXItc2VjcmV0LWZvci1yb3RhdGlvbi0xMjM0';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('starts in development with nothing configured (embedded database, generated secret later)', () => {
    const config = loadConfig({});
    expect(config.production).toBe(false);
    expect(config.database.url).toBeUndefined();
    expect(config.clerk.webhookSecrets).toEqual([]);
    expect(config.port).toBe(3000);
  });

  it('refuses to start in production without its secrets and database, naming each', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL is required in production/),
        expect.stringMatching(/^CLERK_WEBHOOK_SIGNING_SECRET is required in production/),
        expect.stringMatching(/^CLERK_JWT_KEY \(or CLERK_SECRET_KEY\) is required in production/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('names every malformed variable at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://root@localhost/app',
      AUTH_DATABASE_URL: 'postgres://auth@localhost/app',
      CLERK_WEBHOOK_SIGNING_SECRET: 'not-a-secret',
      CLERK_JWT_KEY: 'abc',
    });
    expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(
      ['CLERK_JWT_KEY', 'CLERK_WEBHOOK_SIGNING_SECRET', 'DATABASE_URL', 'PORT'].sort(),
    );
  });

  it('requires the login role URL whenever an external database is configured', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://owner:pw@localhost/app' })).toEqual([
      expect.stringMatching(/^AUTH_DATABASE_URL is required when DATABASE_URL is set/),
    ]);
  });

  it('reports a malformed variable and a missing one together', () => {
    expect(problemsOf({ CLERK_JWT_KEY: 'abc', DATABASE_URL: 'postgres://owner:pw@localhost/app' })).toEqual([
      expect.stringMatching(/^CLERK_JWT_KEY must be the PEM public key/),
      expect.stringMatching(/^AUTH_DATABASE_URL is required when DATABASE_URL is set/),
    ]);
    const production = problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'mysql://root@localhost/app', CLERK_WEBHOOK_SIGNING_SECRET: 'not-a-secret' });
    expect(production).toEqual([
      expect.stringMatching(/^DATABASE_URL must start with postgres:\/\//),
      expect.stringMatching(/^CLERK_WEBHOOK_SIGNING_SECRET each secret must look like whsec_/),
      expect.stringMatching(/^AUTH_DATABASE_URL is required when DATABASE_URL is set/),
      expect.stringMatching(/^CLERK_JWT_KEY \(or CLERK_SECRET_KEY\) is required in production/),
    ]);
  });

  it('accepts several signing secrets for rotation, and the older variable name', () => {
    expect(loadConfig({ CLERK_WEBHOOK_SIGNING_SECRET: `${SECRET}  ${OTHER_SECRET}` }).clerk.webhookSecrets).toEqual([SECRET, OTHER_SECRET]);
    expect(loadConfig({ CLERK_WEBHOOK_SECRET: SECRET }).clerk.webhookSecrets).toEqual([SECRET]);
  });

  it('reads a PEM key written on one line with literal \\n', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\\n-----END PUBLIC KEY-----';
    expect(loadConfig({ CLERK_JWT_KEY: pem }).clerk.jwtKey).toBe('-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----');
    expect(loadConfig({ CLERK_JWT_KEY: pem }).clerk.jwtKey?.split('\n')).toHaveLength(3);
  });

  it('sizes the webhook pool from WEBHOOK_POOL_SIZE, 10 by default, and refuses a size of none', async () => {
    expect(loadConfig({}).webhookPoolSize).toBe(10);
    const config = loadConfig({ WEBHOOK_POOL_SIZE: '4' });
    expect(config.webhookPoolSize).toBe(4);
    const pools = createPools({ ownerUrl: 'postgres://o@127.0.0.1:1/x', authUrl: 'postgres://a@127.0.0.1:1/x' }, createLogger({ LOG_LEVEL: 'silent' }), { webhookPoolSize: config.webhookPoolSize });
    try {
      expect(pools.webhook.options.max).toBe(4);
    } finally {
      await pools.end();
    }
    expect(problemsOf({ WEBHOOK_POOL_SIZE: '0' }).map((problem) => problem.split(' ')[0])).toEqual(['WEBHOOK_POOL_SIZE']);
  });

  it('splits authorized parties and reads body limits', () => {
    const config = loadConfig({ CLERK_AUTHORIZED_PARTIES: 'https://app.example.com, http://localhost:5173', WEBHOOK_BODY_LIMIT: '256kb' });
    expect(config.clerk.authorizedParties).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(config.webhookBodyLimitBytes).toBe(256 * 1024);
  });
});

describe('loadConfig: CORS origins', () => {
  it('reads CORS_ORIGINS, else CLERK_AUTHORIZED_PARTIES, else none', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173', CLERK_AUTHORIZED_PARTIES: 'https://other.example.com' }).corsOrigins)
      .toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(loadConfig({ CLERK_AUTHORIZED_PARTIES: 'https://app.example.com' }).corsOrigins).toEqual(['https://app.example.com']);
    expect(loadConfig({}).corsOrigins).toEqual([]);
  });

  it('refuses what a browser never sends as Origin, naming the entry', () => {
    for (const bad of ['https://app.example.com/', 'app.example.com', '*', 'https://app.example.com/graphql', 'ftp://files.example.com']) {
      expect(problemsOf({ CORS_ORIGINS: `http://localhost:5173,${bad}` })).toEqual([
        expect.stringMatching(new RegExp(`^CORS_ORIGINS must be comma-separated origins such as https://app.example.com.*"${bad.replace(/[.*/]/g, '\\$&')}" is not one$`)),
      ]);
    }
  });
});

describe('loadConfig: proxies and the failed-verification limit', () => {
  it('reads trust proxy in the forms Express accepts and refuses nonsense', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(problemsOf({ TRUST_PROXY: 'yes please!' })).toEqual([expect.stringMatching(/^TRUST_PROXY must be true, false, a number/)]);
  });

  it('defaults to 20 failures a minute and names a bad limit', () => {
    expect(loadConfig({}).webhookFailureLimit).toEqual({ failures: 20, windowSeconds: 60 });
    expect(problemsOf({ WEBHOOK_FAILURE_LIMIT: '0', WEBHOOK_FAILURE_WINDOW_SECONDS: 'soon' })).toEqual([
      expect.stringMatching(/^WEBHOOK_FAILURE_LIMIT must be a whole number/),
      expect.stringMatching(/^WEBHOOK_FAILURE_WINDOW_SECONDS must be a whole number/),
    ]);
  });
});

describe('loadConfig: development defaults', () => {
  it('fills the webhook secret and the session-token key from the data directory, generated once', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'config-defaults-'));
    try {
      const first = loadConfig({ DATA_DIR: dataDir }, { developmentDefaults: true });
      expect(first.clerk.webhookSecrets).toHaveLength(1);
      expect(first.sources.webhookSecret).toEqual({ kind: 'generated', secret: first.clerk.webhookSecrets[0] });
      expect(first.clerk.jwtKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      expect(first.sources.developmentTokens).toBe(true);

      const again = loadConfig({ DATA_DIR: dataDir }, { developmentDefaults: true });
      expect(again.clerk.webhookSecrets).toEqual(first.clerk.webhookSecrets);
      expect(again.clerk.jwtKey).toBe(first.clerk.jwtKey);
      expect(again.sources.webhookSecret).toEqual({ kind: 'stored' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves configured values alone, and production and plain loads untouched', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'config-defaults-'));
    try {
      const configured = loadConfig({ DATA_DIR: dataDir, CLERK_WEBHOOK_SIGNING_SECRET: SECRET, CLERK_SECRET_KEY: 'sk_test_x' }, { developmentDefaults: true });
      expect(configured.clerk.webhookSecrets).toEqual([SECRET]);
      expect(configured.clerk.jwtKey).toBeUndefined();
      expect(configured.sources).toEqual({ webhookSecret: { kind: 'environment' }, developmentTokens: false });
      expect(existsSync(path.join(dataDir, 'dev-secrets.json'))).toBe(false);

      expect(loadConfig({ DATA_DIR: dataDir }).clerk.webhookSecrets).toEqual([]);
      expect(existsSync(path.join(dataDir, 'dev-secrets.json'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
