// pgbench, the machine's PostgreSQL client (any version from 15 talks to the PG 17 server), driven
// with custom scripts: throughput from its summary, latency percentiles from its per-transaction log.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './report.ts';

export interface PgbenchResult {
  tps: number;
  p50: number;
  p99: number;
  transactions: number;
  failed: number;
}

export function pgbenchPath(): string {
  const candidates: string[] = [];
  try {
    candidates.push(path.join(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim(), 'pgbench'));
  } catch {
    // no pg_config on PATH: try the usual Debian locations
  }
  for (const version of ['17', '16', '15']) candidates.push(`/usr/lib/postgresql/${version}/bin/pgbench`);
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error('pgbench not found: install the PostgreSQL client (Debian: apt-get install postgresql-client)');
  return found;
}

export interface PgbenchRun {
  /** Connection as a URL; `role` makes every session `set role` to it (as the server's pools do). */
  url: string;
  role?: string;
  script: string;
  clients: number;
  seconds: number;
  /** pgbench variables (`-D name=value`). */
  variables?: Record<string, string | number>;
}

function percentile(sorted: number[], fraction: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

export async function runPgbench(run: PgbenchRun): Promise<PgbenchResult> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'clerk-pg-sync-pgbench-'));
  try {
    const scriptFile = path.join(workDir, 'script.sql');
    writeFileSync(scriptFile, run.script);
    const url = new URL(run.url);
    const args = [
      '--no-vacuum',
      '--protocol=simple',
      `--client=${run.clients}`,
      `--jobs=${Math.min(2, run.clients)}`,
      `--time=${run.seconds}`,
      `--file=${scriptFile}`,
      '--log',
      `--log-prefix=${path.join(workDir, 'txn')}`,
      ...Object.entries(run.variables ?? {}).map(([name, value]) => `--define=${name}=${value}`),
    ];
    const env = {
      PATH: process.env.PATH,
      PGHOST: url.hostname,
      PGPORT: url.port,
      PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password),
      PGDATABASE: decodeURIComponent(url.pathname.slice(1)),
      PGOPTIONS: run.role ? `-c role=${run.role}` : '',
    };
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(pgbenchPath(), args, { env, cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout!.on('data', (chunk) => (text += chunk));
      child.stderr!.on('data', (chunk) => (text += chunk));
      const limit = setTimeout(() => child.kill('SIGKILL'), (run.seconds + 120) * 1000);
      child.on('exit', (code) => {
        clearTimeout(limit);
        if (code === 0) resolve(text);
        else reject(new Error(`pgbench exited with ${code}:\n${text.trim().split('\n').slice(-25).join('\n')}`));
      });
    });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
    const processed = /number of transactions actually processed: (\d+)/.exec(output);
    const failed = /number of failed transactions: (\d+)/.exec(output);
    if (!tps || !processed) throw new Error(`unexpected pgbench output:\n${output}`);
    // Per-transaction log lines: client_id transaction_no latency_us script_no epoch epoch_us
    const latencies = readdirSync(workDir)
      .filter((name) => name.startsWith('txn.'))
      .flatMap((name) => readFileSync(path.join(workDir, name), 'utf8').trim().split('\n'))
      .map((line) => Number(line.split(' ')[2]) / 1000)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    return {
      tps: Number(tps[1]),
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      transactions: Number(processed[1]),
      failed: failed ? Number(failed[1]) : 0,
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Medians of several runs of the same workload. */
export function medianOf(results: PgbenchResult[]): PgbenchResult {
  return {
    tps: median(results.map((result) => result.tps)),
    p50: median(results.map((result) => result.p50)),
    p99: median(results.map((result) => result.p99)),
    transactions: results.reduce((sum, result) => sum + result.transactions, 0),
    failed: results.reduce((sum, result) => sum + result.failed, 0),
  };
}
