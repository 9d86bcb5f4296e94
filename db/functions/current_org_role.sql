-- v2 session tokens drop the `org:` prefix from the role key (o.rol = 'admin'); Clerk's own parser
-- puts it back, and so do we, so every shape yields keys such as 'org:admin'.
create or replace function app_public.current_org_role() returns text
  language sql stable parallel safe
  as $$
    select coalesce(nullif(app_public.current_claims() ->> 'org.role', ''), nullif(app_public.current_claims() ->> 'org_role', ''),
                    'org:' || nullif(app_public.current_claims() -> 'o' ->> 'rol', ''))
  $$;

comment on function app_public.current_org_role() is E'The visitor''s role key in the active organization (such as `org:admin`); null without an active organization.';
grant execute on function app_public.current_org_role() to authenticated, anonymous;
