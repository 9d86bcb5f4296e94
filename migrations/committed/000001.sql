--! Previous: -
--! Hash: sha1:ba498816555ca05de7d4a5af72ebbafed3386888

-- The foundation: two schemas with clear jobs and privileges that start from nothing.
drop schema if exists app_public cascade;
drop schema if exists app_private cascade;

-- Nothing is usable by PUBLIC unless a later migration grants it to a named role.
alter default privileges revoke all on sequences from public;
alter default privileges revoke all on functions from public;
revoke all on schema public from public;

create schema app_public;
comment on schema app_public is E'Organizations, users and memberships synced from Clerk, readable by tenants through row-level security; this is the schema the GraphQL API exposes.';
grant usage on schema app_public to authenticated, anonymous;
alter default privileges in schema app_public grant usage, select on sequences to authenticated;

create schema app_private;
comment on schema app_private is E'The webhook ledger, internals and SECURITY DEFINER helpers; never exposed. The webhook role may only call app_private.handle_clerk_event.';
grant usage on schema app_private to clerk_webhook;
