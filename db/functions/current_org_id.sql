-- The active organization of the session; every tenant policy keys on it. Read in this order:
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
