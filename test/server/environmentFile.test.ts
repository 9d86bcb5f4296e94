// Env files as an entry point reads them: each case is a fresh Node process in a directory of its
// own, importing the configuration the way `npm start` and the CLIs do, and printing what it got.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const SECRET = 'whsec_dGVzdC1zZWNyZXQtZm9yLWNsZXJrLXBnLXN5bmM=';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'clerk-pg-sync-envfile-'));
  writeFileSync(path.join(dir, '.env'), `# development settings\nPORT=4100\nCLERK_WEBHOOK_SIGNING_SECRET="${SECRET}"\nLOG_LEVEL=debug\n`);
  writeFileSync(path.join(dir, 'production.env'), 'PORT=4200\nDATABASE_URL=postgres://owner:pw@db.example.com/app\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads the configuration in a child process with exactly `env`, in `dir`. */
function configIn(env: Record<string, string>) {
  const config = pathToFileURL(path.resolve('server/config.ts')).href;
  const script = `
    import { ConfigError, loadConfig } from ${JSON.stringify(config)};
    try {
      const config = loadConfig();
      console.log(JSON.stringify({ port: config.port, secrets: config.clerk.webhookSecrets, database: config.database.url ?? null, logLevel: process.env.LOG_LEVEL ?? null, graphileEnv: process.env.GRAPHILE_ENV }));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.log(JSON.stringify({ problems: error.problems }));
    }`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe('env files', () => {
  it('reads .env of the working directory in development', () => {
    expect(configIn({})).toEqual({ port: 4100, secrets: [SECRET], database: null, logLevel: 'debug', graphileEnv: 'production' });
    expect(configIn({ NODE_ENV: 'development' })).toMatchObject({ port: 4100, secrets: [SECRET] });
  });

  it('lets a variable set in the environment win over the file', () => {
    expect(configIn({ PORT: '4300' })).toMatchObject({ port: 4300, secrets: [SECRET] });
  });

  it('ignores .env outside development', () => {
    expect(configIn({ NODE_ENV: 'staging' })).toMatchObject({ port: 3000, secrets: [], logLevel: null });
  });

  it('reads the file named by ENV_FILE in any environment, instead of .env', () => {
    const result = configIn({ NODE_ENV: 'production', ENV_FILE: 'production.env', AUTH_DATABASE_URL: 'postgres://auth:pw@db.example.com/app', CLERK_WEBHOOK_SIGNING_SECRET: SECRET, CLERK_SECRET_KEY: 'sk_test_x' });
    expect(result).toMatchObject({ port: 4200, database: 'postgres://owner:pw@db.example.com/app', logLevel: null, graphileEnv: 'production' });
  });

  it('reads no file when ENV_FILE is set to nothing', () => {
    expect(configIn({ ENV_FILE: '' })).toMatchObject({ port: 3000, secrets: [] });
  });

  it('reports an unreadable ENV_FILE together with every other problem', () => {
    const { problems } = configIn({ NODE_ENV: 'production', ENV_FILE: 'missing.env', CLERK_JWT_KEY: 'not a key' });
    expect(problems).toEqual([
      `ENV_FILE: cannot read ${path.join(dir, 'missing.env')} (ENOENT)`,
      expect.stringMatching(/^CLERK_JWT_KEY must be the PEM public key/),
      expect.stringMatching(/^DATABASE_URL is required in production/),
      expect.stringMatching(/^CLERK_WEBHOOK_SIGNING_SECRET is required in production/),
    ]);
  });

  it('keeps Grafast in the mode NODE_ENV implies, stated explicitly so it prints no notice', () => {
    expect(configIn({ ENV_FILE: '', NODE_ENV: 'development' }).graphileEnv).toBe('development');
    expect(configIn({ ENV_FILE: '', GRAPHILE_ENV: 'development' }).graphileEnv).toBe('development');
  });

  it('has an example listing every documented variable, each parsed by Node as written', () => {
    const example = readFileSync('.env.example', 'utf8');
    const documented = [...readFileSync('docs/configuration.md', 'utf8').matchAll(/^\| `([A-Z_]+)`(?:, `([A-Z_]+)`)?/gm)].flatMap((match) => match.slice(1).filter(Boolean));
    const listed = [...example.matchAll(/^# ([A-Z_]+)=/gm)].map((match) => match[1]);
    expect(documented.length).toBeGreaterThan(15);
    for (const name of documented.filter((name) => !['ENV_FILE', 'CLERK_API_URL', 'CLERK_WEBHOOK_SECRET'].includes(name))) expect(listed).toContain(name);
    // Uncommented, the example is a valid env file whose values are what it shows.
    const uncommented = path.join(dir, 'example.env');
    writeFileSync(uncommented, example.replace(/^# ([A-Z_]+=)/gm, '$1'));
    const result = spawnSync(process.execPath, ['-e', `process.loadEnvFile(${JSON.stringify(uncommented)}); console.log(JSON.stringify(process.env))`], { env: {}, encoding: 'utf8' });
    const parsed = JSON.parse(result.stdout) as Record<string, string>;
    expect(parsed.TRUST_PROXY).toBe('1');
    expect(parsed.CLERK_WEBHOOK_SIGNING_SECRET).toBe('whsec_...');
    expect(parsed.PORT).toBe('3000');
  });
});
