-- Row-level security of app_public.organization_domains (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.organization_domains');

grant select on app_public.organization_domains to authenticated;

-- Tenants: read-only, domains of the active organization for holders of org:sys_domains:read.
drop policy if exists select_current_org_with_permission on app_public.organization_domains;
create policy select_current_org_with_permission on app_public.organization_domains for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and deleted_at is null
    and (select app_public.has_permission('org:sys_domains:read'))
  );
comment on policy select_current_org_with_permission on app_public.organization_domains is E'Domains of the active organization, for holders of org:sys_domains:read.';
