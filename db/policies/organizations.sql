-- Row-level security of app_public.organizations. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.organizations enable row level security;
alter table app_public.organizations force row level security;

drop policy if exists sync_owner_all on app_public.organizations;
create policy sync_owner_all on app_public.organizations for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.organizations is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

-- Tenants. Read-only through the API: Clerk is the source of truth, so visitors get
-- SELECT and nothing else; the file starts from no privileges so it states them completely.
revoke all on app_public.organizations from authenticated, anonymous;
grant select on app_public.organizations to authenticated;

drop policy if exists select_current on app_public.organizations;
create policy select_current on app_public.organizations for select to authenticated
  using (id = (select app_public.current_org_id()) and deleted_at is null);
comment on policy select_current on app_public.organizations is E'A visitor sees the organization active in their session token, unless it is deleted.';
