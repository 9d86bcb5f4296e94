-- Permission keys carried by a token, in this order of shapes:
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
