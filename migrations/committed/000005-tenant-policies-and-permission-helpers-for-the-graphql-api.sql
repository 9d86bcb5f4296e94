--! Previous: sha1:b934a487441f4bde99ecff29da6ff81a2794ac04
--! Hash: sha1:3123e567cc2dc61f185d8a6d27ff475e4731bbaf
--! Message: Tenant policies and permission helpers for the GraphQL API

-- Tenant policies and the permission helpers behind them (issue 6).
--! Included functions/current_permissions.sql
-- The permission keys of the visitor in the active organization. The token decides (Neon template,
-- v1 or v2 shape); a token without a permission list falls back to the synced membership of
-- (user, organization). Clerk leaves system permissions (org:sys_*) out of session tokens, so those
-- always come from the membership. SECURITY DEFINER so the lookup never depends on the caller's
-- own policies (no policy recursion) and can use the app_private claim parser.
create or replace function app_public.current_permissions() returns text[]
  language sql stable security definer parallel safe
  set search_path = pg_catalog
  as $$
    with request as (
      select app_public.current_claims() as claims, app_public.current_user_id() as user_id, app_public.current_org_id() as org_id
    ),
    membership as (
      select m.permissions
        from app_public.organization_memberships m, request
       where m.user_id = request.user_id and m.organization_id = request.org_id and m.deleted_at is null
       limit 1
    )
    select array(
             select distinct key
               from request,
                    unnest(
                      coalesce(app_private.permissions_in_claims(request.claims), (select permissions from membership))
                      || array(select key from membership, unnest(membership.permissions) as key where key like 'org:sys\_%')
                    ) as key
              where request.org_id is not null and key is not null
              order by key
           )
  $$;

comment on function app_public.current_permissions() is E'The visitor''s permission keys in the active organization (such as `org:sys_memberships:read`): those the session token carries, plus system permissions from the synced membership; the membership''s full list when the token carries none. Empty without an active organization.';
revoke all on function app_public.current_permissions() from public;
grant execute on function app_public.current_permissions() to authenticated, anonymous;
--! EndIncluded functions/current_permissions.sql
--! Included functions/has_permission.sql
-- The one question policies ask about permissions; wrap it as (select app_public.has_permission('…'))
-- so Postgres evaluates it once per statement.
create or replace function app_public.has_permission(permission text) returns boolean
  language sql stable strict parallel safe
  as $$ select permission = any(app_public.current_permissions()) $$;

comment on function app_public.has_permission(text) is E'Whether the visitor holds this permission key (such as `org:admin:view_audit_logs`) in the active organization.';
grant execute on function app_public.has_permission(text) to authenticated, anonymous;
--! EndIncluded functions/has_permission.sql
--! Included functions/current_user.sql
-- Convenience for clients: the visitor's own user row (row-level security still applies).
create or replace function app_public.current_user() returns app_public.users
  language sql stable
  as $$ select * from app_public.users where id = app_public.current_user_id() $$;

comment on function app_public.current_user() is E'The signed-in user; null when anonymous or not synced yet.';
grant execute on function app_public.current_user() to authenticated, anonymous;
--! EndIncluded functions/current_user.sql
--! Included functions/current_organization.sql
-- Convenience for clients: the organization active in the session (row-level security still applies).
create or replace function app_public.current_organization() returns app_public.organizations
  language sql stable
  as $$ select * from app_public.organizations where id = app_public.current_org_id() $$;

comment on function app_public.current_organization() is E'The organization active in the visitor''s session; null without one, or when it is deleted or not synced yet.';
grant execute on function app_public.current_organization() to authenticated, anonymous;
--! EndIncluded functions/current_organization.sql
--! Included policies/organizations.sql
-- Row-level security of app_public.organizations. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.organizations enable row level security;
alter table app_public.organizations force row level security;

drop policy if exists sync_owner_all on app_public.organizations;
create policy sync_owner_all on app_public.organizations for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.organizations is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

-- Tenants (issue 6). Read-only through the API: Clerk is the source of truth, so visitors get
-- SELECT and nothing else; the file starts from no privileges so it states them completely.
revoke all on app_public.organizations from authenticated, anonymous;
grant select on app_public.organizations to authenticated;

drop policy if exists select_current on app_public.organizations;
create policy select_current on app_public.organizations for select to authenticated
  using (id = (select app_public.current_org_id()) and deleted_at is null);
comment on policy select_current on app_public.organizations is E'A visitor sees the organization active in their session token, unless it is deleted.';
--! EndIncluded policies/organizations.sql
--! Included policies/users.sql
-- Row-level security of app_public.users. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.users enable row level security;
alter table app_public.users force row level security;

drop policy if exists sync_owner_all on app_public.users;
create policy sync_owner_all on app_public.users for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.users is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

-- Tenants (issue 6). Read-only. Every column here is profile data co-members may see; what is
-- private (private_metadata) lives in app_private.
revoke all on app_public.users from authenticated, anonymous;
grant select on app_public.users to authenticated;

drop policy if exists select_self on app_public.users;
create policy select_self on app_public.users for select to authenticated
  using (id = (select app_public.current_user_id()) and deleted_at is null);
comment on policy select_self on app_public.users is E'A user always sees their own row, with or without an active organization.';

-- The subquery runs under organization_memberships' own policy (current organization, not deleted).
drop policy if exists select_member on app_public.users;
create policy select_member on app_public.users for select to authenticated
  using (
    deleted_at is null
    and id in (
      select m.user_id from app_public.organization_memberships m
       where m.organization_id = (select app_public.current_org_id()) and m.deleted_at is null
    )
  );
comment on policy select_member on app_public.users is E'A visitor sees the profiles of the members of their active organization.';
--! EndIncluded policies/users.sql
--! Included policies/organization_memberships.sql
-- Row-level security of app_public.organization_memberships. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.organization_memberships enable row level security;
alter table app_public.organization_memberships force row level security;

drop policy if exists sync_owner_all on app_public.organization_memberships;
create policy sync_owner_all on app_public.organization_memberships for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.organization_memberships is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

-- Tenants (issue 6). Read-only.
revoke all on app_public.organization_memberships from authenticated, anonymous;
grant select on app_public.organization_memberships to authenticated;

drop policy if exists select_current_org on app_public.organization_memberships;
create policy select_current_org on app_public.organization_memberships for select to authenticated
  using (organization_id = (select app_public.current_org_id()) and deleted_at is null);
comment on policy select_current_org on app_public.organization_memberships is E'A visitor sees the live memberships (members and their roles) of their active organization.';
--! EndIncluded policies/organization_memberships.sql
--! Included policies/audit_logs.sql
-- Row-level security of app_public.audit_logs. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.audit_logs enable row level security;
alter table app_public.audit_logs force row level security;

drop policy if exists sync_owner_all on app_public.audit_logs;
create policy sync_owner_all on app_public.audit_logs for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.audit_logs is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

-- Tenants (issue 6). Read-only, and only with one of the reference tenant's audit permissions.
revoke all on app_public.audit_logs from authenticated, anonymous;
grant select on app_public.audit_logs to authenticated;

drop policy if exists select_with_audit_permission on app_public.audit_logs;
create policy select_with_audit_permission on app_public.audit_logs for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and ((select app_public.has_permission('org:admin:view_audit_logs')) or (select app_public.has_permission('org:compliance:access_audit_logs')))
  );
comment on policy select_with_audit_permission on app_public.audit_logs is E'Audit rows of the active organization, for holders of org:admin:view_audit_logs or org:compliance:access_audit_logs.';
--! EndIncluded policies/audit_logs.sql
