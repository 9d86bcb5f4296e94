// A migrated Postgres cluster of a test's own (bench/lib/clusterProcess.ts in a child process),
// for tests that restart or break the database without disturbing the rest of the suite.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

export interface OwnCluster {
  rootUrl: string;
  ownerUrl: string;
  authUrl: string;
  superuserUrl: string;
  /** Stops Postgres (fast shutdown: transactions in flight abort) and starts it again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnCluster(): Promise<OwnCluster> {
  // Like the suite's own database, it holds migrations/current.sql too (the work being tested).
  const child = spawn(process.execPath, ['bench/lib/clusterProcess.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, BENCH_INCLUDE_CURRENT: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors += chunk));
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`the cluster process exited with ${code}: ${errors}`)));
    });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const urls = JSON.parse(await nextLine());
  return {
    ...urls,
    restart: async () => {
      child.stdin!.write('restart\n');
      if ((await nextLine()) !== 'restarted') throw new Error(`the cluster did not restart: ${errors}`);
    },
    stop: async () => {
      child.stdin!.end('stop\n');
      await exited;
    },
  };
}
