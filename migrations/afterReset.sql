-- A reset recreates the database, which gives PUBLIC the default CONNECT again: only the
-- owner and the server's login role may connect.
revoke all on database :DATABASE_NAME from public;
grant all on database :DATABASE_NAME to :DATABASE_OWNER;
grant connect on database :DATABASE_NAME to :DATABASE_AUTHENTICATOR;
