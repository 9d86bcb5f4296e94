// `npm run bench -- <name> [--duration s] [--warmup s] [--rounds n] [--connections n]`
// Every benchmark starts its own database and servers on 127.0.0.1, measures the product and its
// baselines in the same invocation, prints both side by side with their ratio, and stops.
import { parseArgs } from 'node:util';
import type { BenchOptions } from './lib/options.ts';

const BENCHMARKS: Record<string, { about: string; run: (options: BenchOptions) => Promise<void> }> = {
  ingest: { about: 'signed webhook deliveries over HTTP vs four baselines', run: async (o) => (await import('./ingest.ts')).ingest(o) },
  startup: { about: 'cold and warm `npm start` to /readyz vs its parts alone', run: async (o) => (await import('./startup.ts')).startup(o) },
  graphql: { about: 'the organization page query with JWT + RLS vs RLS bypassed', run: async (o) => (await import('./graphql.ts')).graphql(o) },
  scale: { about: 'db and graphql again on 1M users / 100k organizations / 1M memberships', run: async (o) => (await import('./scale.ts')).scale(o) },
  db: { about: 'pgbench on handle_clerk_event vs a bare upsert + insert function', run: async (o) => (await import('./db.ts')).db(o) },
  backfill: { about: 'the backfill against the fake Backend API vs the same events fed API-free', run: async (o) => (await import('./backfill.ts')).backfill(o) },
  live: { about: 'subscriptions: ingest with 100 subscribers vs none, delivery-to-event latency', run: async (o) => (await import('./live.ts')).live(o) },
};

const USAGE = `usage: npm run bench -- <name> [options]
benchmarks:
${Object.entries(BENCHMARKS)
  .map(([name, { about }]) => `  ${name.padEnd(9)} ${about}`)
  .join('\n')}
options:
  --duration <s>      measured seconds per run (default 8)
  --warmup <s>        warm-up seconds before each measured run (default 2)
  --rounds <n>        runs per target, interleaved; the median is reported (default 3)
  --connections <n>   requests in flight (default 32)
  --users <n>         users in the scale benchmark (default 1000000)
  --ledger-rows <n>   ledger rows of the scale benchmark's large-ledger figure (default 10000000; 0 skips it)`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
      users: { type: 'string', default: '1000000' },
      'ledger-rows': { type: 'string', default: '10000000' },
      help: { type: 'boolean', default: false },
    },
  });
  const benchmark = BENCHMARKS[positionals[0] ?? ''];
  if (!benchmark || values.help) {
    console.log(USAGE);
    process.exitCode = benchmark || values.help ? 0 : 2;
    return;
  }
  const numberOf = (name: string, value: string) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number (got ${value})`);
    return parsed;
  };
  const started = performance.now();
  await benchmark.run({
    durationSeconds: numberOf('duration', values.duration!),
    warmupSeconds: Number(values.warmup),
    rounds: Math.round(numberOf('rounds', values.rounds!)),
    connections: Math.round(numberOf('connections', values.connections!)),
    scaleUsers: Math.round(numberOf('users', values.users!)),
    ledgerRows: values['ledger-rows'] === '0' ? 0 : Math.round(numberOf('ledger-rows', values['ledger-rows']!)),
  });
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
}

main().catch((error: unknown) => {
  console.error(process.env.BENCH_DEBUG && error instanceof Error ? error.stack : error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
