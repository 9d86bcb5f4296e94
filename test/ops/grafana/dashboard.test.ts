// The Grafana dashboard against the real thing: a real Prometheus scrapes a running server, every
// PromQL expression of the dashboard (panels and variables) must be accepted and answered by it,
// and may read only metrics that the server's live /metrics exposes.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../../helpers/app.ts';
import { fixture, fixtureText, uniqueTag } from '../../helpers/clerkEvents.ts';
import { endTestPools } from '../../helpers/db.ts';
import { startPrometheus, waitFor, type RunningPrometheus } from '../../helpers/prometheus.ts';
import { exposedMetricNames, metricsRead } from '../../helpers/promql.ts';
import { deliverOverHttp } from '../../helpers/webhooks.ts';

const DASHBOARD = 'ops/grafana/clerk-pg-sync.json';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string | { query: string } }[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const queryPanels = panels.filter((panel) => panel.type !== 'row');

/** What Grafana substitutes before sending a query: its interval variables and our two selectors. */
function asSent(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '1h')
    .replaceAll('$job', '.+')
    .replaceAll('$instance', '.+');
}

/** Every PromQL expression: panel targets, and the selector inside each label_values() variable. */
const expressions: { where: string; expr: string }[] = [
  ...queryPanels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `${panel.title} ${target.refId}`, expr: asSent(target.expr) }))),
  ...dashboard.templating.list
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const query = typeof variable.query === 'string' ? variable.query : variable.query!.query;
      const selector = /^label_values\((.+),\s*\w+\)$/.exec(query);
      if (!selector) throw new Error(`variable ${variable.name}: ${query} is not label_values(<selector>, <label>)`);
      return { where: `variable ${variable.name}`, expr: asSent(selector[1]) };
    }),
];

describe('the dashboard file', () => {
  it('is an importable dashboard: unique panel ids, each on the data source variable, inside the 24-column grid', () => {
    expect(dashboard).toMatchObject({ uid: 'clerk-pg-sync', title: 'clerk-pg-sync' });
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    expect(dashboard.templating.list.find((variable) => variable.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const panel of queryPanels) {
      expect({ panel: panel.title, uid: panel.datasource?.uid, targets: panel.targets?.length ?? 0 }).toEqual({ panel: panel.title, uid: '${datasource}', targets: expect.any(Number) });
      expect(panel.targets!.length).toBeGreaterThan(0);
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
    // Only the variables asSent() knows are used, so what the test sends is what Grafana sends.
    expect(expressions.filter(({ expr }) => expr.includes('$'))).toEqual([]);
  });

  it('covers deliveries, latency, verification failures, pools, GraphQL and the failures waiting', () => {
    const read = new Set(expressions.flatMap(({ expr }) => metricsRead(expr).metrics));
    for (const metric of [
      'clerk_webhook_deliveries_total',
      'clerk_webhook_processing_duration_seconds_bucket',
      'clerk_webhook_verification_failures_total',
      'db_pool_clients',
      'graphql_requests_total',
      'graphql_request_duration_seconds_bucket',
      'clerk_webhook_ledger_failed_events',
      'clerk_webhook_ledger_oldest_failed_timestamp_seconds',
    ]) {
      expect(read).toContain(metric);
    }
  });
});

describe('the dashboard on a real Prometheus scraping the server', () => {
  let app: RunningApp;
  let prometheus: RunningPrometheus;
  let exported: Set<string>;

  beforeAll(async () => {
    app = await startTestApp();
    prometheus = await startPrometheus({ targets: [new URL(app.url).host], intervalSeconds: 1 });
    // Something for every panel to show: deliveries (one failing), a forged one, a GraphQL request.
    const tag = uniqueTag();
    const broken = fixture('organizationMembership.created', tag);
    delete (broken.data as Record<string, unknown>).organization;
    for (const body of [fixtureText('user.created', tag), broken]) expect((await deliverOverHttp(app.url, body)).status).toBe(200);
    expect((await deliverOverHttp(app.url, fixtureText('user.updated', tag), { secret: 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==' })).status).toBe(400);
    await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}' });
    exported = exposedMetricNames(await (await fetch(`${app.url}/metrics`)).text());
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await app?.close();
    await endTestPools();
  }, 30_000);

  it('reads only metrics the server exports', () => {
    expect(exported.size).toBeGreaterThan(20);
    for (const { where, expr } of expressions) {
      const reads = metricsRead(expr);
      expect({ where, problems: reads.problems, unknown: reads.metrics.filter((name) => !exported.has(name)), reads: reads.metrics.length > 0 }).toEqual({ where, problems: [], unknown: [], reads: true });
    }
  });

  it('has every expression accepted by Prometheus, and each answers with data once the server is scraped', async () => {
    for (const { where, expr } of expressions) {
      const answer = await prometheus.api('query', { query: expr });
      expect({ where, status: answer.status, error: answer.error }).toEqual({ where, status: 'success', error: undefined });
    }
    let empty: string[] = [];
    await waitFor(
      'every dashboard expression to return data',
      async () => {
        empty = [];
        for (const { where, expr } of expressions) if ((await prometheus.query(expr)).length === 0) empty.push(where);
        return empty.length === 0 ? true : undefined;
      },
      30_000,
      () => `still empty: ${empty.join(', ')}`,
    );
    expect(empty).toEqual([]);
  }, 60_000);
});
