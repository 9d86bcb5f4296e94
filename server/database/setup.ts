// Creates the roles and databases the product needs, idempotently, as the superuser of
// ROOT_DATABASE_URL. Roles live outside migrations because they are cluster-wide and
// migrations run as the database owner (graphile/starter does the same).
import pg from 'pg';

export interface DatabaseUrls {
  rootUrl: string;
  ownerUrl: string;
  authUrl: string;
  shadowUrl?: string;
}

/** Roles the policies and grants in migrations name; fixed (Neon uses the same two visitor names). */
export const VISITOR_ROLES = ['authenticated', 'anonymous'] as const;
/** The role the webhook path switches to: it may only execute app_private.handle_clerk_event. */
export const WEBHOOK_ROLE = 'clerk_webhook';

interface Login {
  user: string;
  password: string;
  database: string;
}

function loginOf(url: string, variable: string): Login {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!user || !database) throw new Error(`${variable} must name a user and a database (postgres://user:password@host:port/database)`);
  return { user, password: decodeURIComponent(parsed.password), database };
}

async function ensureLoginRole(client: pg.Client, login: Login, attributes: string): Promise<void> {
  const ident = client.escapeIdentifier(login.user);
  const password = login.password ? `password ${client.escapeLiteral(login.password)}` : '';
  const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [login.user]);
  const verb = rowCount ? 'alter' : 'create';
  await client.query(`${verb} role ${ident} with login ${attributes} ${password}`);
}

async function ensureGroupRole(client: pg.Client, role: string): Promise<void> {
  const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [role]);
  if (!rowCount) await client.query(`create role ${client.escapeIdentifier(role)} nologin`);
}

async function ensureDatabase(client: pg.Client, database: string, owner: string): Promise<void> {
  const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
  if (!rowCount) {
    await client.query(`create database ${client.escapeIdentifier(database)} owner ${client.escapeIdentifier(owner)} encoding 'UTF8' template template0`);
  }
}

/** Who may connect to the application database: the owner and the server's login role only. */
export async function restrictDatabaseAccess(client: pg.Client, database: string, owner: string, authenticator: string): Promise<void> {
  const db = client.escapeIdentifier(database);
  await client.query(`revoke all on database ${db} from public`);
  await client.query(`grant all on database ${db} to ${client.escapeIdentifier(owner)}`);
  await client.query(`grant connect on database ${db} to ${client.escapeIdentifier(authenticator)}`);
}

export async function setupDatabase(urls: DatabaseUrls, log: (line: string) => void = () => undefined): Promise<void> {
  const owner = loginOf(urls.ownerUrl, 'DATABASE_URL');
  const authenticator = loginOf(urls.authUrl, 'AUTH_DATABASE_URL');
  const shadow = urls.shadowUrl ? loginOf(urls.shadowUrl, 'SHADOW_DATABASE_URL') : null;
  if (owner.user === authenticator.user) {
    throw new Error('AUTH_DATABASE_URL must use a different role from DATABASE_URL: the server login role must own nothing');
  }
  const client = new pg.Client({ connectionString: urls.rootUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await ensureLoginRole(client, owner, 'nosuperuser nocreaterole nocreatedb');
    await ensureLoginRole(client, authenticator, 'noinherit nosuperuser nocreaterole nocreatedb');
    for (const role of [...VISITOR_ROLES, WEBHOOK_ROLE]) {
      await ensureGroupRole(client, role);
      const { rowCount } = await client.query(
        `select 1 from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
          where r.rolname = $1 and u.rolname = $2`,
        [role, authenticator.user],
      );
      if (!rowCount) await client.query(`grant ${client.escapeIdentifier(role)} to ${client.escapeIdentifier(authenticator.user)}`);
    }
    for (const database of [owner.database, shadow?.database].filter((name): name is string => Boolean(name))) {
      await ensureDatabase(client, database, owner.user);
      await restrictDatabaseAccess(client, database, owner.user, authenticator.user);
    }
    log(`roles ${owner.user}, ${authenticator.user}, ${[...VISITOR_ROLES, WEBHOOK_ROLE].join(', ')} and database ${owner.database}${shadow ? ` (+ ${shadow.database})` : ''} are in place`);
  } finally {
    await client.end();
  }
}
