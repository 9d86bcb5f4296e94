// What a PromQL expression reads, by the Prometheus project's own grammar (the one its web UI
// uses): the metric name of every selector. Parse errors are the real server's to report; this
// only lists names, and flags a selector that names no metric (a `{__name__=…}` matcher).
import { parser } from '@prometheus-io/lezer-promql';

export interface ExpressionReads {
  metrics: string[];
  /** Selectors without a metric name, and nodes the grammar could not place. */
  problems: string[];
}

export function metricsRead(expr: string): ExpressionReads {
  const metrics = new Set<string>();
  const problems: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) problems.push(`syntax error at ${node.from}: ${JSON.stringify(expr.slice(node.from, node.from + 20))}`);
      if (node.name !== 'VectorSelector') return;
      const identifier = node.node.getChild('Identifier');
      if (identifier) metrics.add(expr.slice(identifier.from, identifier.to));
      else problems.push(`selector without a metric name: ${expr.slice(node.from, node.to)}`);
    },
  });
  return { metrics: [...metrics].sort(), problems };
}

/**
 * The series names a /metrics page exposes, from its `# TYPE` lines: a histogram `x` is read as
 * x_bucket, x_sum and x_count, a summary as x, x_sum and x_count.
 */
export function exposedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${name}${suffix}`);
    else names.add(name);
  }
  return names;
}
