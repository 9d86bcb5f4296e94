// What an operator reads: the --only parser, the plain progress lines and the closing summary.
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { parseFamilies, UsageError } from '../../../ops/backfill/command.ts';
import { createProgressView, formatSummary } from '../../../ops/backfill/progress.ts';
import type { BackfillSummary } from '../../../ops/backfill/backfill.ts';

describe('parseFamilies', () => {
  it('keeps the dependency order whatever order --only lists', () => {
    expect(parseFamilies('memberships, users')).toEqual(['users', 'memberships']);
    expect(parseFamilies(undefined)).toEqual(['permissions', 'roles', 'users', 'organizations', 'memberships', 'invitations']);
  });

  it('names what it does not know', () => {
    expect(() => parseFamilies('users,sessions')).toThrow(UsageError);
    expect(() => parseFamilies('users,sessions')).toThrow('(got: sessions)');
    expect(() => parseFamilies(' , ')).toThrow('(got: nothing)');
  });
});

describe('progress and summary', () => {
  it('writes a plain line per family when stderr is not a terminal', () => {
    let written = '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        written += chunk;
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    const view = createProgressView(stream);
    view.update({ phase: 'sync', family: 'users', done: 10, total: 10, counts: { created: 8, stale: 2 } });
    view.update({ phase: 'reconcile', family: 'users', done: 1, total: 1, counts: { created: 8, stale: 2, deleted: 1 } });
    view.notice('users: rate limited');
    expect(written.split('\n')).toEqual([
      expect.stringMatching(/^users: synced 10\/10 \(\d+\/s\) created 8, stale 2$/),
      expect.stringMatching(/^users: reconciled 1\/1 \(\d+\/s\) created 8, stale 2, deleted 1$/),
      'users: rate limited',
      '',
    ]);
  });

  it('closes with a table of outcomes per family, the failures and the skipped families', () => {
    const summary: BackfillSummary = {
      runId: 7,
      resumed: true,
      options: { families: ['users', 'organizations', 'roles'], reconcile: true, dryRun: true },
      counts: { users: { created: 3, unchanged: 1200, deleted: 2 }, organizations: { failed: 1 } },
      totals: { created: 3, updated: 0, stale: 0, unchanged: 1200, ignored: 0, failed: 1, deleted: 2 },
      failures: [{ id: 'org_1', family: 'organizations', error: 'boom (SQLSTATE XX000)' }],
      skipped: ['roles'],
      durationMs: 1234,
    };
    expect(formatSummary(summary).split('\n')).toEqual([
      'Backfill run 7 (resumed) finished in 1.2 s (reconcile, dry run: nothing was written)',
      'family         created  updated  stale  unchanged  ignored  failed  deleted',
      'users                3        0      0       1200        0       0        2',
      'organizations        0        0      0          0        0       1        0',
      'total                3        0      0       1200        0       1        2',
      '1 object(s) failed (kept in the ledger with their error):',
      '  organizations org_1: boom (SQLSTATE XX000)',
      'Skipped (not synced by this database yet, no table): roles.',
    ]);
  });
});
