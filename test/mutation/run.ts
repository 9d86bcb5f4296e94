// npm run mutation: StrykerJS over the modules where a silent bug costs most, one module at a
// time, each against the test files that exercise it (MODULES below). One embedded cluster with a
// migrated template database serves the whole run; each of Stryker's jest runs copies the
// template (test/mutation/globalSetup.mjs) instead of booting and migrating its own cluster.
//
//   npm run mutation                          every module in turn, then a summary
//   npm run mutation -- server/auth           the named modules only (a folder: every module under it)
//   npm run mutation -- path/to/stryker.json  one Stryker config as it is (its own mutate and jest settings)
//   npm run mutation -- --summary             the summary of the latest reports, without running anything
//
// Reports: reports/mutation/<module>.json (mutation-testing-report-schema) and summary.md.
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as graphileMigrate from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import { startEmbeddedPostgres } from '../../server/database/embeddedPostgres.ts';
import { applyMigrations, migrationSettings } from '../../server/database/migrations.ts';
import { setupDatabase } from '../../server/database/setup.ts';
import { freePort } from '../../support/ports.ts';

interface MutationModule {
  /** Files Stryker mutates. */
  mutate: string[];
  /** Test files run against each mutant: the ones that drive the module through real HTTP and Postgres. */
  tests: string[];
}

/**
 * Each module with the test files that exercise it. Stryker loads every listed file for every
 * mutant, and a mutant reached while an app starts (most of a module's set-up code) runs all of
 * them, so each list holds the files that assert the module's behaviour, not every file that
 * happens to pass through it: a file missing here cannot kill its mutants.
 */
const MODULES: Record<string, MutationModule> = {
  'server/auth': {
    mutate: ['server/auth/**/*.ts'],
    // The request log carries a refusal's reason (the log line is the auth gate's record).
    tests: ['test/server/auth/*.test.ts', 'test/server/graphql/live/subscriptions.test.ts', 'test/server/observability/requestLogging.test.ts'],
  },
  // The signature check is exercised through the route: its own test file covers every header family and failure.
  'server/webhooks/verifyClerkSignature.ts': {
    mutate: ['server/webhooks/verifyClerkSignature.ts'],
    tests: ['test/server/webhooks/clerkWebhookRouter.test.ts'],
  },
  'server/webhooks/clerkWebhookRouter.ts': {
    mutate: ['server/webhooks/clerkWebhookRouter.ts'],
    tests: [
      'test/server/webhooks/clerkWebhookRouter.test.ts',
      'test/server/webhooks/instancePinning.test.ts',
      'test/server/observability/verificationLimiter.test.ts',
      'test/server/observability/deliveries.test.ts',
    ],
  },
  // One module per file: most of observability's mutants are in code every app runs at start (metric
  // definitions), which Stryker cannot attribute to a test, so each such mutant runs every listed
  // file; short lists keep that affordable.
  'server/observability/verificationLimiter.ts': {
    mutate: ['server/observability/verificationLimiter.ts'],
    tests: ['test/server/observability/verificationLimiter.test.ts'],
  },
  'server/observability/delivery.ts': {
    mutate: ['server/observability/delivery.ts'],
    tests: ['test/server/observability/requestLogging.test.ts', 'test/server/observability/verificationLimiter.test.ts', 'test/server/webhooks/clerkWebhookRouter.test.ts'],
  },
  // The delivery lines (failed, 500, 503) are asserted by the route's tests.
  'server/observability/requestLogging.ts': {
    mutate: ['server/observability/requestLogging.ts'],
    tests: ['test/server/observability/requestLogging.test.ts', 'test/server/webhooks/clerkWebhookRouter.test.ts', 'test/server/webhooks/instancePinning.test.ts'],
  },
  'server/observability/databaseGauges.ts': {
    mutate: ['server/observability/databaseGauges.ts'],
    tests: ['test/server/observability/databaseGauges.test.ts'],
  },
  'server/observability/metrics.ts': {
    mutate: ['server/observability/metrics.ts'],
    // Each metric is asserted where its cause is: deliveries, refusals, payload shapes, instance
    // pinning, the database gauges. The GraphQL bounds' metrics are asserted by
    // test/server/graphql/requestBounds.test.ts against a server it starts as a child process,
    // which Stryker's mutant switch does not reach.
    tests: [
      'test/server/observability/metrics.test.ts',
      'test/server/observability/deliveries.test.ts',
      'test/server/observability/verificationLimiter.test.ts',
      'test/server/observability/databaseGauges.test.ts',
      'test/server/webhooks/instancePinning.test.ts',
      'test/server/webhooks/payloadShapes.test.ts',
    ],
  },
  'ops/backfill/store.ts': {
    mutate: ['ops/backfill/store.ts'],
    tests: ['test/ops/backfill/backfill.test.ts', 'test/ops/backfill/families.test.ts', 'test/ops/backfill/progress.test.ts'],
  },
};

const REPORT_DIR = 'reports/mutation';
const TEMPLATE_DATABASE = 'clerk_pg_sync_mutation_template';
const OWNER = { user: 'clerk_pg_sync_test_owner', password: 'test-owner' };
const AUTHENTICATOR = { user: 'clerk_pg_sync_test_authenticator', password: 'test-authenticator' };

function loginUrl(rootUrl: string, login: { user: string; password: string }, database: string): string {
  const url = new URL(rootUrl);
  url.username = login.user;
  url.password = login.password;
  url.pathname = `/${database}`;
  return url.toString();
}

const slug = (name: string) => name.replace(/[^A-Za-z0-9]+/g, '-');
const reportFile = (name: string) => `${REPORT_DIR}/${slug(name)}.json`;

/** The base stryker.config.json with one module's mutate, tests and report file. */
async function moduleConfig(name: string, module: MutationModule): Promise<string> {
  const base = JSON.parse(await readFile('stryker.config.json', 'utf8'));
  const config = {
    ...base,
    mutate: module.mutate,
    jest: { ...base.jest, config: { ...base.jest?.config, testMatch: module.tests.map((glob) => `<rootDir>/${glob}`) } },
    jsonReporter: { fileName: reportFile(name) },
    // A rerun tests again only the mutants whose code or covering tests changed since the last one.
    incremental: true,
    incrementalFile: `${REPORT_DIR}/${slug(name)}.incremental.json`,
  };
  const file = `${REPORT_DIR}/${slug(name)}.stryker.json`;
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

function stryker(configFile: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'mutation:stryker', '--', 'run', configFile], { stdio: 'inherit', env });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}

interface ModuleScore {
  name: string;
  total: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Left out on purpose (test/mutation/ignorers.mjs): not scored. */
  ignored: number;
  errors: number;
  /** (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker computes it. */
  score: number;
  survivors: string[];
}

async function scoreOf(name: string, file: string): Promise<ModuleScore> {
  const report = JSON.parse(await readFile(file, 'utf8')) as { files: Record<string, { mutants: Mutant[] }> };
  const counts = { total: 0, killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
  const survivors: string[] = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const mutant of mutants) {
      counts.total += 1;
      if (mutant.status === 'Killed') counts.killed += 1;
      else if (mutant.status === 'Timeout') counts.timeout += 1;
      else if (mutant.status === 'Ignored') counts.ignored += 1;
      else if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') {
        if (mutant.status === 'Survived') counts.survived += 1;
        else counts.noCoverage += 1;
        const { line, column } = mutant.location.start;
        survivors.push(`${file}:${line}:${column} ${mutant.status} ${mutant.mutatorName} → ${JSON.stringify(mutant.replacement ?? '')}`);
      } else counts.errors += 1;
    }
  }
  const detected = counts.killed + counts.timeout;
  const valid = detected + counts.survived + counts.noCoverage;
  return { name, ...counts, score: valid ? detected / valid : 1, survivors };
}

function summary(scores: ModuleScore[]): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  const sum = (key: 'total' | 'killed' | 'timeout' | 'survived' | 'noCoverage' | 'ignored' | 'errors') => scores.reduce((total, score) => total + score[key], 0);
  const detected = sum('killed') + sum('timeout');
  const valid = detected + sum('survived') + sum('noCoverage');
  const lines = [
    '| module | score | mutants | killed | timeout | survived | no coverage | ignored | errors |',
    '|---|---|---|---|---|---|---|---|---|',
    ...scores.map((s) => `| ${s.name} | ${percent(s.score)} | ${s.total} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.ignored} | ${s.errors} |`),
  ];
  if (scores.length > 1) {
    lines.push(`| all | ${percent(valid ? detected / valid : 1)} | ${sum('total')} | ${sum('killed')} | ${sum('timeout')} | ${sum('survived')} | ${sum('noCoverage')} | ${sum('ignored')} | ${sum('errors')} |`);
  }
  for (const score of scores) {
    lines.push('', `Survivors in ${score.name}:`, ...(score.survivors.length ? score.survivors.map((line) => `- ${line}`) : ['- none']));
  }
  return `${lines.join('\n')}\n`;
}

/** The summary of every module's latest report (a module never run is left out). */
async function writeSummary(): Promise<void> {
  const scores: ModuleScore[] = [];
  for (const name of Object.keys(MODULES)) {
    const file = reportFile(name);
    if (await stat(file).catch(() => null)) scores.push(await scoreOf(name, file));
  }
  const text = summary(scores);
  await writeFile(`${REPORT_DIR}/summary.md`, text);
  console.log(`\n${text}`);
}

async function main(args: string[]): Promise<number> {
  const configFiles = args.filter((arg) => /\.(json|[cm]?js)$/.test(arg));
  const names = args.filter((arg) => !configFiles.includes(arg) && arg !== '--summary');
  // A name selects its module, or every module under it (server/observability: its five files).
  const covers = (name: string, module: string) => module === name || module.startsWith(`${name.replace(/\/$/, '')}/`);
  const unknown = names.filter((name) => !Object.keys(MODULES).some((module) => covers(name, module)));
  const selected = Object.keys(MODULES).filter((module) => !names.length || names.some((name) => covers(name, module)));
  if (unknown.length) {
    console.error(`unknown module ${unknown.join(', ')}; modules: ${Object.keys(MODULES).join(', ')}`);
    return 2;
  }
  await mkdir(REPORT_DIR, { recursive: true });
  if (args.includes('--summary')) {
    await writeSummary();
    return 0;
  }

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'clerk-pg-sync-mutation-'));
  await chmod(dataDir, 0o755);
  const cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), superuserPassword: 'test-root' });
  let failures = 0;
  try {
    const urls = {
      rootUrl: cluster.rootUrl,
      ownerUrl: loginUrl(cluster.rootUrl, OWNER, TEMPLATE_DATABASE),
      authUrl: loginUrl(cluster.rootUrl, AUTHENTICATOR, TEMPLATE_DATABASE),
    };
    const quiet = () => undefined;
    await setupDatabase(urls);
    await applyMigrations(urls, quiet);
    await graphileMigrate.watch(migrationSettings(urls, quiet), true);
    clearAllPools();
    const env = {
      ...process.env,
      MUTATION_ROOT_DATABASE_URL: cluster.rootUrl,
      MUTATION_TEMPLATE_DATABASE: TEMPLATE_DATABASE,
      MUTATION_OWNER_ROLE: OWNER.user,
      MUTATION_AUTHENTICATOR_ROLE: AUTHENTICATOR.user,
      MUTATION_OWNER_URL: urls.ownerUrl,
      MUTATION_AUTH_URL: urls.authUrl,
    };

    for (const file of configFiles) {
      if ((await stryker(file, env)) !== 0) {
        failures += 1;
        continue;
      }
      const report = JSON.parse(await readFile(file, 'utf8')).jsonReporter?.fileName;
      if (report) console.log(`\n${summary([await scoreOf(file, report)])}`);
    }
    if (configFiles.length) return failures ? 1 : 0;

    for (const name of selected) {
      const started = Date.now();
      if ((await stryker(await moduleConfig(name, MODULES[name]), env)) !== 0) {
        failures += 1;
        console.error(`mutation run of ${name} failed`);
        continue;
      }
      const score = await scoreOf(name, reportFile(name));
      console.log(`${name}: ${(score.score * 100).toFixed(1)} % in ${Math.round((Date.now() - started) / 1000)} s`);
    }
    await writeSummary();
  } finally {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return failures ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
