// Debian's `prometheus` package (the server and promtool), as .ci/run installs it, for the tests
// of ops/prometheus and ops/grafana: a tool run with a time limit, and a real Prometheus server on
// 127.0.0.1 with its own configuration and data directory, which the test stops and removes.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/ports.ts';

/** The path of `promtool` or `prometheus`; a clear error when the package is not installed. */
export function prometheusBinary(name: 'promtool' | 'prometheus'): string {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin']) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not installed: these tests need Debian's prometheus package (apt-get update && apt-get install -y prometheus), which .ci/run installs`);
}

export interface ToolRun {
  code: number | null;
  output: string;
}

/** Runs a tool to completion, killed after `timeoutMs`. */
export function runTool(binary: string, args: string[], timeoutMs = 60_000): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it returns a value other than undefined, at most `timeoutMs`; the error
 * names `what` and the last value seen otherwise.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, describeLast?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describeLast ? `: ${describeLast()}` : ''}`);
    await sleep(250);
  }
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  /** GET /api/v1/<endpoint>; resolves to the whole JSON answer, errors included. */
  api(endpoint: string, params?: Record<string, string>): Promise<{ status: string; data?: any; error?: string; errorType?: string }>;
  /** An instant query that must succeed; its vector result. */
  query(expr: string): Promise<PromSample[]>;
  output(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** host:port of each target, scraped as job `clerk-pg-sync` on /metrics. */
  targets: string[];
  ruleFiles?: string[];
  intervalSeconds?: number;
}

/** Starts Prometheus and waits (at most 30 s) until it answers /-/ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = prometheusBinary('prometheus');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clerk-pg-sync-prometheus-'));
  const interval = `${options.intervalSeconds ?? 1}s`;
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [{ job_name: 'clerk-pg-sync', metrics_path: '/metrics', static_configs: [{ targets: options.targets }] }],
  };
  // JSON is YAML: no serializer needed for the configuration.
  await writeFile(path.join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killed);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const api: RunningPrometheus['api'] = async (endpoint, params = {}) => {
    const response = await fetch(`${url}/api/v1/${endpoint}?${new URLSearchParams(params)}`, { signal: AbortSignal.timeout(10_000) });
    return response.json() as Promise<{ status: string; data?: any; error?: string }>;
  };

  try {
    await waitFor(
      'Prometheus to answer /-/ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
        const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) }).then((response) => response.status === 200, () => false);
        return ready ? true : undefined;
      },
      30_000,
      () => output,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    api,
    async query(expr) {
      const answer = await api('query', { query: expr });
      if (answer.status !== 'success') throw new Error(`query ${expr} failed: ${answer.errorType}: ${answer.error}`);
      if (answer.data.resultType !== 'vector') throw new Error(`query ${expr} gave a ${answer.data.resultType}, not a vector`);
      return answer.data.result as PromSample[];
    },
    output: () => output,
    stop,
  };
}
