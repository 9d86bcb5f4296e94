-- The active organization of the session; every tenant policy keys on it. Read in the SPEC's order:
-- the Neon template's literal key "org.id", then v1 session tokens (org_id), then v2 (o.id).
create or replace function app_public.current_org_id() returns text
  language sql stable parallel safe
  as $$
    select coalesce(nullif(claims ->> 'org.id', ''), nullif(claims ->> 'org_id', ''), nullif(claims -> 'o' ->> 'id', ''))
      from (select app_public.current_claims() as claims) as request
  $$;

comment on function app_public.current_org_id() is E'The Clerk organization id (`org_…`) active in the visitor''s session token; null without an active organization.';
grant execute on function app_public.current_org_id() to authenticated, anonymous;
