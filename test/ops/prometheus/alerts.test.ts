// The alert rules as Prometheus's own tool sees them: `promtool check rules` accepts the file and
// `promtool test rules` runs alerts.promtool.yml, where every alert has series that fire it and
// series that must not. Also that each alert has its line in the operations guide.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { prometheusBinary, runTool } from '../../helpers/prometheus.ts';

const RULES = 'ops/prometheus/alerts.yml';
const RULE_TESTS = 'test/ops/prometheus/alerts.promtool.yml';

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
    const run = await runTool(prometheusBinary('promtool'), ['test', 'rules', RULE_TESTS]);
    expect(run.output).toContain('SUCCESS');
    expect(run).toMatchObject({ code: 0 });
  });

  it('has, for every alert, a test where it fires and one where it must not', () => {
    const cases = (parse(readFileSync(RULE_TESTS, 'utf8')) as RuleTests).tests.flatMap((test) => test.alert_rule_test ?? []);
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
