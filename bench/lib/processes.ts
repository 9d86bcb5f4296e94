// Child processes of a benchmark: servers under test (with their memory sampled) and the load
// generator. Everything listens on 127.0.0.1 and is killed when the benchmark ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadResult, LoadSpec } from './loadWorker.ts';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Largest resident set seen since the last reset, in MiB. */
  peakRssMiB(): number;
  resetPeak(): void;
  stop(): Promise<void>;
}

function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200, the process exits, or the time is up. */
export async function waitForOk(url: string, child: ChildProcess | null, timeoutMs: number, describe: () => string): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (child && child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${describe()}`);
    const ok = await fetch(url).then((response) => response.status === 200, () => false);
    if (ok) return performance.now() - started;
    await sleep(25);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms: ${describe()}`);
}

export interface StartOptions {
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  readyPath: string;
  logFile: string;
  command?: string;
}

/** Starts a server (node by default) with output to a log file and waits until it is ready. */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const log = openSync(options.logFile, 'a');
  const child = spawn(options.command ?? process.execPath, options.args, {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${options.port}`;
  const tail = () => readFileSync(options.logFile, 'utf8').split('\n').slice(-15).join('\n');
  try {
    await waitForOk(`${url}${options.readyPath}`, child, 60_000, tail);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(child.pid!));
  }, 200);
  return {
    child,
    url,
    peakRssMiB: () => Math.max(peak, rssMiB(child.pid!)),
    resetPeak: () => {
      peak = 0;
    },
    stop: async () => {
      clearInterval(sampler);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

/** Runs the load generator in its own process and returns what it measured. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join('bench', 'lib', 'loadWorker.ts'), JSON.stringify(spec)], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (errors += chunk));
    const limit = setTimeout(() => child.kill('SIGKILL'), (spec.warmupSeconds + spec.durationSeconds + 60) * 1000);
    child.on('exit', (code) => {
      clearTimeout(limit);
      const line = output.trim().split('\n').pop();
      if (code === 0 && line) resolve(JSON.parse(line) as LoadResult);
      else reject(new Error(`load generator exited with ${code}: ${errors.trim()}`));
    });
  });
}
