// `npm run webhooks -- prune` as an operator runs it, against the test database: a dry run says
// what it would do, a real run on a current ledger has nothing to drop, bad options are refused.
import { describe, expect, it, jest } from '@jest/globals';
import { runWebhooksCli } from '../helpers/cli.ts';
import { testDatabase } from '../helpers/db.ts';

jest.setTimeout(60_000);
const prune = (args: string[], env: NodeJS.ProcessEnv = {}) => runWebhooksCli(['prune', ...args], { DATABASE_URL: testDatabase.ownerUrl(), ...env });

describe('webhooks prune', () => {
  it('on a current ledger: creates nothing that exists and drops nothing within the retention', async () => {
    const dry = await prune(['--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^dry run: would create 0, would drop 0 partitions \(retention 90 days\) in \d+ ms$/m);
    const run = await prune(['--json'], { WEBHOOK_PAYLOAD_RETENTION_DAYS: '120' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ retentionDays: 120, dryRun: false, actions: [] });
  });

  it('refuses a retention that is not a whole number of days', async () => {
    const run = await prune(['--retention-days', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--retention-days <n>.*must be a whole number/);
  });
});
