import { afterAll, describe, expect, it } from '@jest/globals';
import { setupDatabase, VISITOR_ROLES, WEBHOOK_ROLE } from '../../../server/database/setup.ts';
import { endTestPools, testDatabase, withRootDb } from '../../helpers/db.ts';

afterAll(endTestPools);

const urls = () => ({ rootUrl: testDatabase.rootUrl(), ownerUrl: testDatabase.ownerUrl(), authUrl: testDatabase.authUrl() });

describe('setupDatabase', () => {
  it('can run again on a set-up cluster without changing anything', async () => {
    await expect(setupDatabase(urls())).resolves.toBeUndefined();
    await expect(setupDatabase(urls())).resolves.toBeUndefined();
  });

  it('creates a NOINHERIT login role that owns nothing and may become each visitor role', async () => {
    const authenticator = new URL(testDatabase.authUrl()).username;
    await withRootDb(async (client) => {
      const { rows } = await client.query(
        `select r.rolcanlogin, r.rolinherit, r.rolsuper,
                array(select g.rolname from pg_auth_members m join pg_roles g on g.oid = m.roleid
                       where m.member = r.oid order by 1)::text[] as member_of,
                (select count(*) from pg_class c where c.relowner = r.oid)::int as owned_relations
           from pg_roles r where r.rolname = $1`,
        [authenticator],
      );
      expect(rows).toEqual([
        {
          rolcanlogin: true,
          rolinherit: false,
          rolsuper: false,
          member_of: [...VISITOR_ROLES, WEBHOOK_ROLE].sort(),
          owned_relations: 0,
        },
      ]);
    });
  });

  it('lets only the owner and the login role connect to the database', async () => {
    await withRootDb(async (client) => {
      const { rows } = await client.query(
        `select r.rolname, has_database_privilege(r.rolname, current_database(), 'connect') as can_connect
           from pg_roles r where r.rolname = any($1) order by 1`,
        [['authenticated', 'anonymous', WEBHOOK_ROLE, new URL(testDatabase.authUrl()).username, new URL(testDatabase.ownerUrl()).username]],
      );
      const canConnect = Object.fromEntries(rows.map((row) => [row.rolname, row.can_connect]));
      expect(canConnect).toEqual({
        anonymous: false,
        authenticated: false,
        [WEBHOOK_ROLE]: false,
        [new URL(testDatabase.authUrl()).username]: true,
        [new URL(testDatabase.ownerUrl()).username]: true,
      });
    });
  });

  it('refuses an authenticator that is the owner', async () => {
    await expect(setupDatabase({ ...urls(), authUrl: testDatabase.ownerUrl() })).rejects.toThrow(/different role/);
  });
});
