--! Previous: sha1:8f840b2f82e3a74c0f2ef1c5c05dceb59f17b387
--! Hash: sha1:1e88c1cfc20a2fe8ab24ebcf3f1e6b38895df2aa
--! Message: Claim helpers for the GraphQL API

-- Claims of the request, read by every tenant policy (issue 6).
--! Included functions/current_claims.sql
-- The verified JWT claims of this transaction, set by the server (pgSettings) or by Neon's Data API.
-- current_setting(..., true) reads '' rather than NULL once a pooled connection has seen the setting.
create or replace function app_public.current_claims() returns jsonb
  language sql stable parallel safe
  as $$ select nullif(current_setting('request.jwt.claims', true), '')::jsonb $$;

comment on function app_public.current_claims() is E'@behavior -queryField\nThe verified JWT claims of the current request (`request.jwt.claims`), or null for an anonymous visitor.';
grant execute on function app_public.current_claims() to authenticated, anonymous;
--! EndIncluded functions/current_claims.sql
--! Included functions/current_user_id.sql
-- Every Clerk token names the user in `sub`; the Neon template repeats it as the literal key "user.id".
create or replace function app_public.current_user_id() returns text
  language sql stable parallel safe
  as $$
    select coalesce(nullif(claims ->> 'sub', ''), nullif(claims ->> 'user.id', ''))
      from (select app_public.current_claims() as claims) as request
  $$;

comment on function app_public.current_user_id() is E'The Clerk user id (`user_…`) of the signed-in visitor, from the token''s `sub` (or `user.id`); null when anonymous.';
grant execute on function app_public.current_user_id() to authenticated, anonymous;
--! EndIncluded functions/current_user_id.sql
--! Included functions/current_org_id.sql
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
--! EndIncluded functions/current_org_id.sql
--! Included functions/current_org_role.sql
-- v2 session tokens drop the `org:` prefix from the role key (o.rol = 'admin'); Clerk's own parser
-- puts it back, and so do we, so every shape yields keys such as 'org:admin'.
create or replace function app_public.current_org_role() returns text
  language sql stable parallel safe
  as $$
    select coalesce(nullif(claims ->> 'org.role', ''), nullif(claims ->> 'org_role', ''), 'org:' || nullif(claims -> 'o' ->> 'rol', ''))
      from (select app_public.current_claims() as claims) as request
  $$;

comment on function app_public.current_org_role() is E'The visitor''s role key in the active organization (such as `org:admin`); null without an active organization.';
grant execute on function app_public.current_org_role() to authenticated, anonymous;
--! EndIncluded functions/current_org_role.sql
--! Included functions/permissions_in_claims.sql
-- Permission keys carried by a token, in the SPEC's order of shapes:
--   Neon template: "org_membership.permissions" (a JSON array, or the same rendered as a string);
--   v1 session token: org_permissions (array);
--   v2 session token: o.per lists permission names, fea lists features ('o:' / 'ou:' / 'uo:' are
--   organization features) and o.fpm holds one decimal bitmask per organization feature saying
--   which names apply to it; key = 'org:<feature>:<name>' (as @clerk/shared's jwtPayloadParser).
-- Null when the token carries no permission list at all, so callers can fall back.
create or replace function app_private.permissions_in_claims(claims jsonb) returns text[]
  language sql immutable parallel safe
  as $$
    with listed as (
      select coalesce(nullif(claims -> 'org_membership.permissions', '""'), claims -> 'org_permissions') as value
    ),
    listed_keys as (
      select case jsonb_typeof(value)
               when 'array' then array(select jsonb_array_elements_text(value))
               when 'string' then case
                 when left(btrim(value #>> '{}'), 1) = '[' then array(select jsonb_array_elements_text((value #>> '{}')::jsonb))
                 else array(select part from regexp_split_to_table(value #>> '{}', '[\s,]+') as part where part <> '')
               end
             end as keys
        from listed
    ),
    features as (
      select substr(btrim(part), strpos(btrim(part), ':') + 1) as name, row_number() over (order by position) - 1 as index
        from unnest(string_to_array(claims ->> 'fea', ',')) with ordinality as fea(part, position)
       where split_part(btrim(part), ':', 1) in ('o', 'ou', 'uo')
    ),
    names as (
      select btrim(name) as name, position - 1 as index
        from unnest(string_to_array(claims -> 'o' ->> 'per', ',')) with ordinality as per(name, position)
    ),
    masks as (
      select btrim(mask)::numeric as mask, position - 1 as index
        from unnest(string_to_array(claims -> 'o' ->> 'fpm', ',')) with ordinality as fpm(mask, position)
       where btrim(mask) ~ '^\d+$'
    ),
    v2_keys as (
      select array(
               select 'org:' || features.name || ':' || names.name
                 from features
                 join masks on masks.index = features.index
                cross join names
                where mod(floor(masks.mask / power(2::numeric, names.index)), 2) = 1
                order by features.index, names.index
             ) as keys
    )
    select coalesce(
             (select keys from listed_keys),
             case when jsonb_typeof(claims -> 'o') = 'object' and claims -> 'o' ? 'per' then (select keys from v2_keys) end
           )
  $$;

comment on function app_private.permissions_in_claims(jsonb) is E'The organization permission keys a JWT carries (Neon template, v1 or v2 session token), or null when it carries none.';
--! EndIncluded functions/permissions_in_claims.sql
