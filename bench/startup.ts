// `npm run bench -- startup`: `npm start` from nothing (cold: a new data directory, so initdb,
// roles, migrations) and again on the same data (warm), each to the first 200 from /readyz; beside
// them what the parts cost alone: the embedded Postgres cold and warm, and a bare node:http server.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../server/database/embeddedPostgres.ts';
import { freePort } from '../support/ports.ts';
import { waitForOk } from './lib/processes.ts';
import { median, printTable, verdict, VERDICT_HEADER } from './lib/report.ts';
import type { BenchOptions } from './lib/options.ts';

function freshDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clerk-pg-sync-startup-'));
  // The cluster runs as the postgres OS user when we run as root: it must reach the directory.
  chmodSync(dir, 0o755);
  return dir;
}

/** Stops a process group politely (as Ctrl-C does) and waits for it. */
async function interrupt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGINT');
  const forced = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
  await exited;
  clearTimeout(forced);
}

/** Milliseconds from spawning the command to the first 200 from `readyPath`. */
async function timeToReady(command: string, args: string[], env: NodeJS.ProcessEnv, port: number, readyPath: string): Promise<number> {
  let output = '';
  const started = performance.now();
  const child = spawn(command, args, { cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  try {
    await waitForOk(`http://127.0.0.1:${port}${readyPath}`, child, 120_000, () => output.split('\n').slice(-10).join('\n'));
    return performance.now() - started;
  } finally {
    await interrupt(child);
  }
}

async function npmStart(dataDir: string): Promise<number> {
  const port = await freePort();
  const env = { NODE_ENV: 'development', LOG_FORMAT: 'json', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', EMBEDDED_POSTGRES_PORT: String(await freePort()) };
  // DATABASE_URL and friends from the caller's shell would bypass the embedded cluster.
  for (const name of ['DATABASE_URL', 'AUTH_DATABASE_URL', 'ROOT_DATABASE_URL', 'SHADOW_DATABASE_URL']) delete process.env[name];
  return timeToReady('npm', ['start', '--silent'], env, port, '/readyz');
}

async function embeddedPostgres(dataDir: string): Promise<number> {
  const started = performance.now();
  const cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), superuserPassword: 'startup-bench' });
  const elapsed = performance.now() - started;
  await cluster.stop();
  return elapsed;
}

async function bareNode(): Promise<number> {
  const port = await freePort();
  const script = `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`;
  return timeToReady(process.execPath, ['-e', script], {}, port, '/');
}

export async function startup(options: BenchOptions): Promise<void> {
  const runs = { cold: [] as number[], warm: [] as number[], pgCold: [] as number[], pgWarm: [] as number[], node: [] as number[] };
  for (let round = 0; round < options.rounds; round++) {
    const productDir = freshDir();
    const pgDir = freshDir();
    try {
      runs.cold.push(await npmStart(productDir));
      runs.warm.push(await npmStart(productDir));
      runs.pgCold.push(await embeddedPostgres(pgDir));
      runs.pgWarm.push(await embeddedPostgres(pgDir));
      runs.node.push(await bareNode());
      console.log(`  round ${round + 1}/${options.rounds}: cold ${(runs.cold.at(-1)! / 1000).toFixed(2)} s, warm ${(runs.warm.at(-1)! / 1000).toFixed(2)} s`);
    } finally {
      rmSync(productDir, { recursive: true, force: true });
      rmSync(pgDir, { recursive: true, force: true });
    }
  }
  const s = (values: number[]) => median(values) / 1000;
  const coldFloor = s(runs.pgCold) + s(runs.node);
  const warmFloor = s(runs.pgWarm) + s(runs.node);
  printTable(
    `startup: \`npm start\` to the first 200 from /readyz, median of ${options.rounds} round(s)`,
    ['start', 'npm start s', 'embedded Postgres alone s', 'bare node:http s', 'floor s (sum)', 'npm start ÷ floor'],
    [
      ['cold (new data directory: initdb, roles, migrations)', s(runs.cold), s(runs.pgCold), s(runs.node), coldFloor, s(runs.cold) / coldFloor],
      ['warm (existing data directory)', s(runs.warm), s(runs.pgWarm), s(runs.node), warmFloor, s(runs.warm) / warmFloor],
    ],
  );
  printTable('startup targets', VERDICT_HEADER, [
    verdict('cold start', s(runs.cold), '<=', 10, ' s'),
    verdict('warm start', s(runs.warm), '<=', 3, ' s'),
  ]);
}
