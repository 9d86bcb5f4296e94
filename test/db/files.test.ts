// Every db/ file states what the database holds: applied again to the migrated database (as the
// owner, in a transaction rolled back afterwards) it changes nothing. A function or policy file
// edited without being included again in a migration fails here, naming what it would change.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { withTransaction } from '../../server/database/transaction.ts';
import { endTestPools, getOwnerPool } from '../helpers/db.ts';
import { schemaFingerprint } from '../helpers/schemaFingerprint.ts';

const DB = path.join(process.cwd(), 'db');
const FILES = ['functions', 'policies'].flatMap((folder) =>
  readdirSync(path.join(DB, folder))
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => `${folder}/${name}`),
);

afterAll(endTestPools);

describe('db/ files', () => {
  it('are all found', () => {
    expect(FILES.filter((file) => file.startsWith('functions/')).length).toBeGreaterThan(10);
    expect(FILES.filter((file) => file.startsWith('policies/')).length).toBeGreaterThan(5);
  });

  it.each(FILES)('%s matches the database', async (file) => {
    const sql = readFileSync(path.join(DB, file), 'utf8');
    const { before, after } = await withTransaction(
      getOwnerPool(),
      async (client) => {
        const before = await schemaFingerprint(client);
        await client.query(sql);
        return { before, after: await schemaFingerprint(client) };
      },
      // A policy file alters its table: wait for other tests' locks a while, never indefinitely.
      { rollback: true, settings: { lock_timeout: '10s' } },
    );
    const removed = before.filter((line) => !after.includes(line));
    const added = after.filter((line) => !before.includes(line));
    expect({ file, removed, added }).toEqual({ file, removed: [], added: [] });
  });
});
