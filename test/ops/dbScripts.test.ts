// Every `npm run db:*` script as a DBA's shell script runs it: its exit status, and no error line
// on success. They run in a scratch copy of the project (db:commit writes migrations) against an
// embedded Postgres of their own, which each command starts and stops again.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/ports.ts';
import { testDatabase } from '../helpers/db.ts';

jest.setTimeout(180_000);

let project: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  project = mkdtempSync(path.join(os.tmpdir(), 'clerk-pg-sync-db-scripts-'));
  chmodSync(project, 0o755);
  for (const entry of ['package.json', '.gmrc', 'ops', 'server', 'support', 'db']) cpSync(entry, path.join(project, entry), { recursive: true });
  mkdirSync(path.join(project, 'migrations'));
  for (const entry of ['committed', 'current.sql', 'afterReset.sql']) cpSync(path.join('migrations', entry), path.join(project, 'migrations', entry), { recursive: true });
  symlinkSync('../db', path.join(project, 'migrations', 'fixtures'));
  symlinkSync(path.resolve('node_modules'), path.join(project, 'node_modules'));
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ENV_FILE: '',
    DATA_DIR: path.join(project, '.data'),
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
  };
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function npmRun(script: string, args: string[] = [], runEnv: NodeJS.ProcessEnv = env, cwd = project): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function succeeds(script: string, ...args: string[]): Promise<string> {
  const { code, output } = await npmRun(script, args);
  expect({ script, code, output }).toEqual({ script, code: 0, output: expect.not.stringMatching(/error/i) });
  return output;
}

const committedFiles = () => readdirSync(path.join(project, 'migrations', 'committed')).sort();

describe('npm run db:*', () => {
  it('exits 0 with no error line for every command that succeeds, and 1 for a failed check', async () => {
    const committedBefore = committedFiles();
    await succeeds('db:setup');
    await succeeds('db:migrate');
    expect(await succeeds('db:status')).toMatch(/pending committed migrations: none\ncurrent\.sql: empty/);
    expect(await succeeds('db:check')).toContain('migrations/current.sql is empty');

    writeFileSync(
      path.join(project, 'migrations', 'current.sql'),
      "create or replace function app_private.db_scripts_probe() returns int language sql immutable as 'select 1';\n",
    );
    await succeeds('db:watch', '--once');
    expect(await succeeds('db:status')).toContain('current.sql: holds uncommitted work');
    const check = await npmRun('db:check');
    expect(check.code).toBe(1);
    expect(check.output).toContain('migrations/current.sql holds uncommitted work');

    await succeeds('db:commit', 'Probe function');
    const added = committedFiles().filter((file) => !committedBefore.includes(file));
    expect(added).toEqual([expect.stringMatching(/^\d{6}-probe-function\.sql$/)]);
    expect(readFileSync(path.join(project, 'migrations', 'committed', added[0]), 'utf8')).toContain('app_private.db_scripts_probe()');
    expect(readFileSync(path.join(project, 'migrations', 'current.sql'), 'utf8')).not.toContain('db_scripts_probe');
    expect(await succeeds('db:status')).toMatch(/pending committed migrations: none\ncurrent\.sql: empty/);

    await succeeds('db:reset');
    expect(await succeeds('db:status')).toMatch(/pending committed migrations: none/);
    expect(await succeeds('db:schema:check')).toContain('db/schema.sql matches the migrations');
  });

  it('db:status and db:migrate against an external database need no shadow database', async () => {
    // The project's own migrations against the test run's database, which already has them all.
    const external = { ...env, DATABASE_URL: testDatabase.ownerUrl(), AUTH_DATABASE_URL: testDatabase.authUrl() };
    for (const script of ['db:status', 'db:migrate']) {
      const { code, output } = await npmRun(script, [], external, process.cwd());
      expect({ script, code, output }).toEqual({ script, code: 0, output: expect.not.stringMatching(/error/i) });
    }
  });
});
