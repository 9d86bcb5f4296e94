-- The one question policies ask about permissions; wrap it as (select app_public.has_permission('…'))
-- so Postgres evaluates it once per statement. Fresher than the token: see current_access.
create or replace function app_public.has_permission(permission text) returns boolean
  language sql stable strict parallel safe
  as $$ select permission = any(app_public.current_permissions()) $$;

comment on function app_public.has_permission(text) is E'Whether the visitor holds this permission key (such as `org:admin:view_audit_logs`) in the active organization: carried by the session token and not contradicted by the synced membership.';
grant execute on function app_public.has_permission(text) to authenticated, anonymous;
