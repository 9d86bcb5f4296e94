--! Previous: sha1:c024ae0c1b5bfc23c8d19f663a2ba79e71a07e03
--! Hash: sha1:a7f461a204678c96c7d80237c9b4894d5268d9d6
--! Message: claim helpers the planner inlines

--! Included functions/current_org_id.sql
-- The active organization of the session; every tenant policy keys on it. Read in the SPEC's order:
-- the Neon template's literal key "org.id", then v1 session tokens (org_id), then v2 (o.id).
-- One expression with no FROM, like current_user_id and current_org_role, so the planner inlines it
-- (and current_claims) into the policy's initplan: a SQL function it cannot inline is planned again
-- at every call, which cost each policy a tenth of a millisecond per query (npm run bench -- graphql).
create or replace function app_public.current_org_id() returns text
  language sql stable parallel safe
  as $$
    select coalesce(nullif(app_public.current_claims() ->> 'org.id', ''), nullif(app_public.current_claims() ->> 'org_id', ''),
                    nullif(app_public.current_claims() -> 'o' ->> 'id', ''))
  $$;

comment on function app_public.current_org_id() is E'The Clerk organization id (`org_…`) active in the visitor''s session token; null without an active organization.';
grant execute on function app_public.current_org_id() to authenticated, anonymous;
--! EndIncluded functions/current_org_id.sql
--! Included functions/current_user_id.sql
-- Every Clerk token names the user in `sub`; the Neon template repeats it as the literal key "user.id".
create or replace function app_public.current_user_id() returns text
  language sql stable parallel safe
  as $$
    select coalesce(nullif(app_public.current_claims() ->> 'sub', ''), nullif(app_public.current_claims() ->> 'user.id', ''))
  $$;

comment on function app_public.current_user_id() is E'The Clerk user id (`user_…`) of the signed-in visitor, from the token''s `sub` (or `user.id`); null when anonymous.';
grant execute on function app_public.current_user_id() to authenticated, anonymous;
--! EndIncluded functions/current_user_id.sql
--! Included functions/current_org_role.sql
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
--! EndIncluded functions/current_org_role.sql
