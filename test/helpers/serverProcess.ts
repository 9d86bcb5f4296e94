// The real entry point (`node server/main.ts`) as a child process over a given database, for
// tests that kill it: what a deployment runs, started the way a deployment starts it.
import { spawn, type ChildProcess } from 'node:child_process';
import { TEST_WEBHOOK_SECRET } from './app.ts';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

export async function startServerProcess(
  port: number,
  databaseUrls: { ownerUrl: string; authUrl: string },
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['server/main.ts', ...args], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      ENV_FILE: '', // a developer's .env must not reach the process under test
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrls.ownerUrl,
      AUTH_DATABASE_URL: databaseUrls.authUrl,
      CLERK_WEBHOOK_SIGNING_SECRET: TEST_WEBHOOK_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then((response) => response.status === 200, () => false);
    if (ready) return { child, url, output: () => output, exited };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${output}`);
}
