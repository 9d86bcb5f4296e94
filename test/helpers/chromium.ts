// A real browser for tests: Debian's headless Chromium, driven over the DevTools protocol
// (chrome-remote-interface). Only what the tests need: open a page, evaluate in it, wait for a
// condition on it, and collect its uncaught errors.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import CDP from 'chrome-remote-interface';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserPage {
  /** Evaluates `expression` in the page and returns its (JSON-serialisable) value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Waits until `expression` is truthy in the page. */
  waitFor(expression: string, timeoutMs?: number): Promise<void>;
  errors: string[];
}

export interface Browser {
  open(url: string): Promise<BrowserPage>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'clerk-pg-sync-chromium-'));
  const child: ChildProcess = spawn(
    CHROMIUM,
    ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${output}`)), 30_000);
    child.stderr!.on('data', (chunk) => {
      output += chunk;
      const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited with ${code}:\n${output}`)));
  });
  const clients: CDP.Client[] = [];
  return {
    async open(url) {
      const target = await CDP.New({ port, url: 'about:blank' });
      const client = await CDP({ port, target });
      clients.push(client);
      const errors: string[] = [];
      await client.Runtime.enable();
      await client.Page.enable();
      client.Runtime.exceptionThrown(({ exceptionDetails }) => errors.push(exceptionDetails.exception?.description ?? exceptionDetails.text));
      await client.Page.navigate({ url });
      await client.Page.loadEventFired();
      const evaluate = async <T>(expression: string): Promise<T> => {
        const { result, exceptionDetails } = await client.Runtime.evaluate({ expression, returnByValue: true, awaitPromise: true });
        if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
        return result.value as T;
      };
      return {
        evaluate,
        errors,
        async waitFor(expression, timeoutMs = 10_000) {
          const deadline = Date.now() + timeoutMs;
          while (!(await evaluate<boolean>(`Boolean(${expression})`))) {
            if (Date.now() > deadline) {
              const body = await evaluate<string>('document.body.innerText');
              throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}; the page shows:\n${body}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        },
      };
    },
    async close() {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
