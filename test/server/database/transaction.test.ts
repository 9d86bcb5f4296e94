// withTransaction, the one transaction helper: commit, roll back, settings, read-only, and the
// retry of a transaction Postgres rolled back for a transient reason.
import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { withTransaction } from '../../../server/database/transaction.ts';
import { endTestPools, getRootPool } from '../../helpers/db.ts';

afterAll(endTestPools);

const table = `transaction_test_${randomBytes(4).toString('hex')}`;

describe('withTransaction', () => {
  it('commits what the body did, or nothing when asked to roll back or when the body throws', async () => {
    const pool = getRootPool();
    await pool.query(`create table public.${table} (n int)`);
    try {
      expect(await withTransaction(pool, async (client) => (await client.query(`insert into public.${table} values (1) returning n`)).rows[0].n)).toBe(1);
      await withTransaction(pool, (client) => client.query(`insert into public.${table} values (2)`), { rollback: true });
      await expect(
        withTransaction(pool, async (client) => {
          await client.query(`insert into public.${table} values (3)`);
          throw new Error('the body failed');
        }),
      ).rejects.toThrow('the body failed');
      expect((await pool.query(`select array_agg(n order by n) as ns from public.${table}`)).rows[0].ns).toEqual([1]);
      // No connection is left checked out.
      expect(pool.totalCount - pool.idleCount).toBe(0);
    } finally {
      await pool.query(`drop table public.${table}`);
    }
  });

  it('sets transaction-local settings and can be read-only', async () => {
    const pool = getRootPool();
    const seen = await withTransaction(pool, async (client) => (await client.query(`select current_setting('request.jwt.claims', true) as claims`)).rows[0].claims, {
      settings: { 'request.jwt.claims': '{"sub":"user_x"}' },
      readOnly: true,
    });
    expect(seen).toBe('{"sub":"user_x"}');
    // Local to that transaction: the next one on the same pool does not see it.
    expect((await pool.query(`select coalesce(current_setting('request.jwt.claims', true), '') as claims`)).rows[0].claims).toBe('');
    await expect(withTransaction(pool, (client) => client.query('create temp table t_read_only (n int)'), { readOnly: true })).rejects.toMatchObject({ code: '25006' });
  });

  it('runs the whole transaction again after a transient failure, up to its attempts, and never after a permanent one', async () => {
    const pool = getRootPool();
    let calls = 0;
    const deadlockOnce = async () => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      return 'done';
    };
    expect(await withTransaction(pool, deadlockOnce, { attempts: 3 })).toBe('done');
    expect(calls).toBe(2);

    calls = 0;
    const lockTimeout = async () => {
      calls += 1;
      throw Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' });
    };
    await expect(withTransaction(pool, lockTimeout, { attempts: 2 })).rejects.toMatchObject({ code: '55P03' });
    expect(calls).toBe(2);

    calls = 0;
    const uniqueViolation = async () => {
      calls += 1;
      throw Object.assign(new Error('duplicate key'), { code: '23505' });
    };
    await expect(withTransaction(pool, uniqueViolation, { attempts: 5 })).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });

  it('uses a connection already held as it is, and leaves it open', async () => {
    const client = await getRootPool().connect();
    try {
      const inside = await withTransaction(
        client,
        async (tx) => {
          await tx.query(`set local application_name = 'inside_the_transaction'`);
          return (await tx.query('select current_setting($1) as name', ['application_name'])).rows[0].name;
        },
        { rollback: true },
      );
      expect(inside).toBe('inside_the_transaction');
      // The setting ended with the transaction; the connection is still ours and open.
      expect((await client.query('select current_setting($1) as name', ['application_name'])).rows[0].name).not.toBe('inside_the_transaction');
      expect((await client.query('select 1 as one')).rows[0].one).toBe(1);
    } finally {
      client.release();
    }
  });
});
