-- Row-level security of app_public.organizations (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.organizations');

-- Tenants. Read-only through the API: Clerk is the source of truth, so visitors get
-- SELECT and nothing else; the file starts from no privileges so it states them completely.
grant select on app_public.organizations to authenticated;

drop policy if exists select_current on app_public.organizations;
create policy select_current on app_public.organizations for select to authenticated
  using (id = (select app_public.current_live_org_id()) and deleted_at is null);
comment on policy select_current on app_public.organizations is E'A visitor sees the organization active in their session token, unless it is deleted or the synced membership says they left it (fresher than the token: current_access).';
