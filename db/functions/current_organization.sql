-- Convenience for clients: the organization active in the session (row-level security still
-- applies). plpgsql so a visitor without an active organization (anonymous ones hold no privilege
-- on organizations) gets null instead of a permission error.
create or replace function app_public.current_organization() returns app_public.organizations
  language plpgsql stable
  as $$
declare
  v_org_id text := app_public.current_org_id();
  v_organization app_public.organizations;
begin
  if v_org_id is null then
    return null;
  end if;
  select * into v_organization from app_public.organizations where id = v_org_id;
  return v_organization;
end
$$;

comment on function app_public.current_organization() is E'The organization active in the visitor''s session; null without one, or when it is deleted or not synced yet.';
grant execute on function app_public.current_organization() to authenticated, anonymous;
