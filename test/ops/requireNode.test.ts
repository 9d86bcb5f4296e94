// The Node version check every entry point loads first: a Node too old (or with type stripping
// turned off) gets one clear message and exit status 1 before any TypeScript is read; a new enough
// one runs the entry point. Run in a real child process, with process.version replaced beforehand.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

function runEntryPoint(version: string | null, extraFlags: string[] = []) {
  const pretend = version
    ? ['--import', `data:text/javascript,Object.defineProperty(process, 'version', { value: '${version}' })`]
    : [];
  // A TypeScript entry point: only a Node with type stripping can run it.
  const entry = 'const answer: number = 42; console.log(`ran ${answer}`);';
  return spawnSync(process.execPath, [...extraFlags, ...pretend, '--import', './ops/requireNode.mjs', '--input-type=module-typescript', '-e', entry], {
    encoding: 'utf8',
  });
}

describe('the Node version check', () => {
  it.each(['v20.20.2', 'v22.17.1', 'v22.6.0', 'v18.20.0'])('refuses Node %s with the fix, not a stack trace', (version) => {
    const result = runEntryPoint(version);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`clerk-pg-sync needs Node.js 22.18.0 or newer; this is Node ${version}`);
    expect(result.stderr).toContain('https://nodejs.org');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(['v22.18.0', 'v22.20.1', 'v23.11.0', 'v24.0.0'])('lets Node %s run the entry point', (version) => {
    const result = runEntryPoint(version);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('ran 42\n');
    expect(result.status).toBe(0);
  });

  it('refuses a Node whose type stripping is turned off', () => {
    const result = runEntryPoint(null, ['--no-experimental-strip-types']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("type stripping, which is turned off");
  });

  it('is loaded by every npm script that runs a TypeScript file with node, and by jest', () => {
    const { scripts, engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; engines: { node: string } };
    const nodeScripts = Object.entries(scripts).filter(([, command]) => /\bnode\b.*\.ts\b/.test(command));
    expect(nodeScripts.length).toBeGreaterThan(5);
    for (const [name, command] of nodeScripts) expect(`${name}: ${command}`).toMatch(/: (exec )?node --import \.\/ops\/requireNode\.mjs \S+\.ts/);
    expect(readFileSync('jest.config.js', 'utf8')).toContain("import './ops/requireNode.mjs'");
    expect(engines.node).toBe('>=22.18');
  });

  it('makes `npm start` replace its shell with node, so signals sent to npm reach the server', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toMatch(/^exec node /);
  });
});
