// Stryker ignorers (named in stryker.config.json): code whose mutants are not run, each with the
// reason the report shows. Written as plain plugin objects ({kind, name, value}, what
// declareValuePlugin returns) because StrykerJS is fetched on demand, not installed with the project.

/** A metric's `help:` text is documentation for whoever reads /metrics; no behaviour depends on it. */
const metricHelp = {
  shouldIgnore(path) {
    const parent = path.parentPath;
    if (!parent?.isObjectProperty() || parent.node.value !== path.node) return undefined;
    const key = parent.node.key;
    const named = key.type === 'Identifier' ? key.name : key.type === 'StringLiteral' ? key.value : undefined;
    if (named !== 'help') return undefined;
    const metric = parent.parentPath?.parentPath;
    if (metric?.isNewExpression() && ['Counter', 'Gauge', 'Histogram'].includes(metric.node.callee.name)) {
      return 'metric help text: documentation for readers of /metrics, no behaviour depends on it';
    }
    return undefined;
  },
};

export const strykerPlugins = [{ kind: 'Ignore', name: 'metric-help', value: metricHelp }];
