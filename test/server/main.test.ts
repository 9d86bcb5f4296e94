// `npm start` end to end: the real entry point with its embedded Postgres, started cold, warm,
// after a crash that orphaned the postmaster, and after a stale lock file; stopped by signals.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/ports.ts';
import { testDatabase } from '../helpers/db.ts';

jest.setTimeout(120_000);

let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'clerk-pg-sync-main-'));
  await chmod(dataDir, 0o755);
  env = {
    PATH: process.env.PATH,
    ENV_FILE: '', // a developer's .env must not reach the process under test
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
  };
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const postmasterPidFile = () => path.join(dataDir, 'pg17', 'postmaster.pid');
const readPostmasterPid = () => Number(readFileSync(postmasterPidFile(), 'utf8').split('\n')[0]);
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function startServer(): Promise<Started> {
  const child = spawn(process.execPath, ['server/main.ts'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${env.PORT}/readyz`).then((response) => response.status === 200, () => false);
    if (ready) return { child, output: () => output, exited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${output}`);
}

async function waitForDeath(pid: number, timeoutMs = 10_000): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline && isAlive(pid); ) await new Promise((resolve) => setTimeout(resolve, 100));
  return !isAlive(pid);
}

describe('npm start with the embedded Postgres', () => {
  it('initialises a cluster on first start, and Ctrl-C stops everything it started', async () => {
    const server = await startServer();
    expect(server.output()).toContain('initialising a new cluster');
    expect(server.output()).toMatch(/Development webhook signing secret: whsec_/);
    expect(server.output()).not.toContain('GRAPHILE_ENV');
    // The warnings name the data directory in use, not the default one.
    expect(server.output()).toContain(`generated a development secret (kept in ${path.join(dataDir, 'dev-secrets.json')}`);
    expect(server.output()).not.toContain('.data/');
    const postmaster = readPostmasterPid();
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    expect(await waitForDeath(postmaster)).toBe(true);
    expect(existsSync(postmasterPidFile())).toBe(false);
  });

  it('restarts warm on the same data without printing the secret again', async () => {
    const server = await startServer();
    expect(server.output()).not.toContain('initialising a new cluster');
    expect(server.output()).not.toMatch(/Development webhook signing secret/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('recovers from a postmaster orphaned by a killed run', async () => {
    const crashed = await startServer();
    const orphan = readPostmasterPid();
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(isAlive(orphan)).toBe(true);

    const server = await startServer();
    expect(server.output()).toContain(`stopping orphaned postmaster ${orphan}`);
    expect(readPostmasterPid()).not.toBe(orphan);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('recovers from a stale lock file whose process is gone', async () => {
    writeFileSync(postmasterPidFile(), `999999\n${path.join(dataDir, 'pg17')}\n`);
    const server = await startServer();
    expect(server.output()).toContain('removing stale postmaster.pid');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('stops the server and Postgres within the shutdown timeout when only the npm process of `npm start` is signalled', async () => {
    // What Docker's PID 1, PM2 or a `kill $!` script does: the signal reaches npm and nothing else.
    // Generous for a loaded machine: what is checked is that the signal reaches the server at all.
    const shutdownTimeoutMs = 20_000;
    const npm = spawn('npm', ['start'], { cwd: process.cwd(), env: { ...env, SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout!.on('data', (chunk) => (output += chunk));
    npm.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      if (npm.exitCode !== null) throw new Error(`npm start exited with ${npm.exitCode}:\n${output}`);
      if (await fetch(`http://127.0.0.1:${env.PORT}/readyz`).then((response) => response.status === 200, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const serverPid = Number(/"pid":(\d+)/.exec(output)?.[1]);
    const postmaster = readPostmasterPid();
    expect(serverPid).not.toBe(npm.pid);
    expect(isAlive(serverPid)).toBe(true);

    const signalledAt = Date.now();
    process.kill(npm.pid!, 'SIGTERM');
    try {
      expect(await waitForDeath(serverPid, shutdownTimeoutMs)).toBe(true);
      expect(await waitForDeath(postmaster, shutdownTimeoutMs)).toBe(true);
      expect(Date.now() - signalledAt).toBeLessThan(shutdownTimeoutMs);
      expect(await exited).toBe(0);
    } finally {
      // A server the signal did not reach would outlive the test and hold its ports.
      for (const pid of [serverPid, postmaster]) {
        if (isAlive(pid)) process.kill(pid, 'SIGKILL');
        await waitForDeath(pid);
      }
    }
    expect(output).toContain('"signal":"SIGTERM"');
    expect(existsSync(postmasterPidFile())).toBe(false);
  });

  it('says clearly what went wrong when the port is taken by something else', async () => {
    const blocker = (await import('node:net')).createServer().listen(Number(env.EMBEDDED_POSTGRES_PORT), '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const child = spawn(process.execPath, ['server/main.ts'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(output).toMatch(/Could not start the embedded Postgres .*port \d+/);
    } finally {
      blocker.close();
    }
  });
});

describe('npm start against a database it cannot reach', () => {
  async function startFailure(extra: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, ['server/main.ts'], { cwd: process.cwd(), env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, output };
  }

  it('names the URL that failed, without its password', async () => {
    const port = await freePort();
    const { code, output } = await startFailure({
      DATABASE_URL: `postgres://owner:owner-secret-pw@127.0.0.1:${port}/app`,
      AUTH_DATABASE_URL: `postgres://auth:auth-secret-pw@127.0.0.1:${port}/app`,
    });
    expect(code).toBe(1);
    expect(output).toContain(`cannot connect to DATABASE_URL (postgres://owner@127.0.0.1:${port}/app): connect ECONNREFUSED`);
    expect(output).not.toContain('secret-pw');
  });

  it('names the login role URL when only its password is wrong', async () => {
    const auth = new URL(testDatabase.authUrl());
    auth.password = 'wrong-secret-pw';
    const { code, output } = await startFailure({ DATABASE_URL: testDatabase.ownerUrl(), AUTH_DATABASE_URL: auth.toString() });
    expect(code).toBe(1);
    auth.password = '';
    expect(output).toContain(`cannot connect to AUTH_DATABASE_URL (${auth.toString()}): password authentication failed`);
    expect(output).not.toContain('wrong-secret-pw');
  });
});
