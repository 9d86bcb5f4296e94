-- The permission keys of the visitor in the active organization, fresher than the token: see
-- current_access, which decides. Inlined into its caller, so `(select app_public.current_permissions())`
-- in a policy is one initplan calling current_access once per statement.
create or replace function app_public.current_permissions() returns text[]
  language sql stable parallel safe
  as $$ select (app_public.current_access()).permissions $$;

comment on function app_public.current_permissions() is E'The visitor''s permission keys in the active organization (such as `org:sys_memberships:read`): those the session token carries that the synced membership also grants, plus the membership''s system permissions; the token''s as issued while no membership is synced yet; none once the membership ended or the organization or user was deleted or the user banned. Empty without an active organization.';
revoke all on function app_public.current_permissions() from public;
grant execute on function app_public.current_permissions() to authenticated, anonymous;
