-- Convenience for clients: the organization active in the session (row-level security still applies).
create or replace function app_public.current_organization() returns app_public.organizations
  language sql stable
  as $$ select * from app_public.organizations where id = app_public.current_org_id() $$;

comment on function app_public.current_organization() is E'The organization active in the visitor''s session; null without one, or when it is deleted or not synced yet.';
grant execute on function app_public.current_organization() to authenticated, anonymous;
