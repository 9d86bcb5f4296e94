// The alert rules as Prometheus's own tool sees them: `promtool check rules` accepts the file and
// `promtool test rules` runs alerts.promtool.yml and alerts.daily.promtool.yml, where every alert
// has series that fire it and series that must not. Also that each alert has its line in the operations guide, and that every
// command that guide tells the operator to run exists with the options it names.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { prometheusBinary, runTool } from '../../helpers/prometheus.ts';

const RULES = 'ops/prometheus/alerts.yml';
/** The unit tests: evaluated every minute, and (the alerts whose thresholds are days) every hour. */
const RULE_TESTS = ['test/ops/prometheus/alerts.promtool.yml', 'test/ops/prometheus/alerts.daily.promtool.yml'];

interface RuleFile {
  groups: { name: string; rules: { alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}
interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const rules = (parse(readFileSync(RULES, 'utf8')) as RuleFile).groups.flatMap((group) => group.rules);
const alertNames = rules.map((rule) => rule.alert).filter((name): name is string => Boolean(name));

describe('ops/prometheus/alerts.yml', () => {
  it('passes promtool check rules', async () => {
    const run = await runTool(prometheusBinary('promtool'), ['check', 'rules', RULES]);
    expect(run).toEqual({ code: 0, output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`) });
  });

  it('passes its promtool unit tests', async () => {
    const run = await runTool(prometheusBinary('promtool'), ['test', 'rules', ...RULE_TESTS]);
    expect(run.output).toContain('SUCCESS');
    expect(run).toMatchObject({ code: 0 });
  });

  it('has, for every alert, a test where it fires and one where it must not', () => {
    const cases = RULE_TESTS.flatMap((file) => (parse(readFileSync(file, 'utf8')) as RuleTests).tests.flatMap((test) => test.alert_rule_test ?? []));
    expect(alertNames.length).toBeGreaterThanOrEqual(9);
    for (const name of alertNames) {
      const own = cases.filter((test) => test.alertname === name);
      expect({ name, firing: own.some((test) => test.exp_alerts.length > 0), silent: own.some((test) => test.exp_alerts.length === 0) }).toEqual({ name, firing: true, silent: true });
    }
    expect(cases.map((test) => test.alertname).filter((name) => !alertNames.includes(name))).toEqual([]);
  });

  it('gives every alert a severity, a summary, a description and a runbook entry in docs/operations.md', () => {
    const operations = readFileSync('docs/operations.md', 'utf8');
    for (const rule of rules.filter((candidate) => candidate.alert)) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({ alert: rule.alert, severity: expect.stringMatching(/^(critical|warning)$/) });
      expect(rule.annotations).toEqual({ summary: expect.any(String), description: expect.any(String), runbook: `docs/operations.md#${rule.alert!.toLowerCase()}` });
      // The table row carries an anchor with the alert's name, which the runbook annotation links to.
      expect(operations).toContain(`<a id="${rule.alert!.toLowerCase()}"></a>`);
    }
  });
});

/** `npm run <script> -- <args>` commands quoted in the "When an alert fires" section. */
function runbookCommands(): { script: string; args: string[] }[] {
  const operations = readFileSync('docs/operations.md', 'utf8');
  const section = operations.slice(operations.indexOf('## When an alert fires'));
  const commands = [...section.matchAll(/`npm run ([\w:-]+) -- ([^`]+)`/g)].map(([, script, rest]) => ({ script, args: rest.trim().split(/\s+/) }));
  return commands.filter((command, index) => commands.findIndex((other) => JSON.stringify(other) === JSON.stringify(command)) === index);
}

function help(nodeArgs: string[], args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeArgs, ...args], { timeout: 30_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${nodeArgs.join(' ')} ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe('the runbook in docs/operations.md', () => {
  it('names only commands and options that exist', async () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    const commands = runbookCommands();
    const named = new Set(commands.map(({ script, args }) => `${script} ${args[0]}`));
    for (const expected of ['webhooks list', 'webhooks stats', 'webhooks replay', 'clerk backfill']) expect(named).toContain(expected);
    for (const { script, args } of commands) {
      // The script's node arguments (loader flags and the entry file), run with this Node.
      const entry = /^(?:exec )?node ((?:\S+ )*\S+\.ts)$/.exec(scripts[script] ?? '');
      expect({ script, entry: entry?.[1] }).toEqual({ script, entry: expect.any(String) });
      const nodeArgs = entry![1].split(' ');
      if (args[0] === '--help') {
        expect(await help(nodeArgs, ['--help'])).toMatch(/^Usage: /);
        continue;
      }
      const [subcommand, ...options] = args;
      const text = await help(nodeArgs, [subcommand, '--help']);
      expect(text).toMatch(new RegExp(`^Usage: \\S+ ${subcommand} `, 'm'));
      for (const option of options.filter((arg) => arg.startsWith('--'))) expect({ command: `${script} ${subcommand}`, option, listed: text.includes(`${option} `) || text.includes(`${option}\n`) }).toEqual({ command: `${script} ${subcommand}`, option, listed: true });
    }
  }, 60_000);
});
