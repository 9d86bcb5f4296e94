-- Permission keys carried by a token, in this order of shapes:
--   Neon template: "org_membership.permissions" (a JSON array, or the same rendered as a string);
--   v1 session token: org_permissions (array);
--   v2 session token: o.per lists permission names, fea lists features ('o:' / 'ou:' / 'uo:' are
--   organization features) and o.fpm holds one decimal bitmask per organization feature saying
--   which names apply to it; key = 'org:<feature>:<name>' (as @clerk/shared's jwtPayloadParser).
-- Null when the token carries no permission list at all, so callers can fall back.
-- PL/pgSQL with the common shapes first: each policy's initplan parses the claims once per
-- statement, and a cached plan per branch keeps that to microseconds.
create or replace function app_private.permissions_in_claims(claims jsonb) returns text[]
  language plpgsql immutable parallel safe
  as $$
declare
  v_listed jsonb := coalesce(nullif(claims -> 'org_membership.permissions', '""'), claims -> 'org_permissions');
  v_keys text[];
begin
  case jsonb_typeof(v_listed)
    when 'array' then
      return array(select jsonb_array_elements_text(v_listed));
    when 'string' then
      if left(btrim(v_listed #>> '{}'), 1) = '[' then
        return array(select jsonb_array_elements_text((v_listed #>> '{}')::jsonb));
      end if;
      return array(select part from regexp_split_to_table(v_listed #>> '{}', '[\s,]+') as part where part <> '');
    else
      null;
  end case;
  if jsonb_typeof(claims -> 'o') is distinct from 'object' or not (claims -> 'o') ? 'per' then
    return null;
  end if;
  with
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
    )
  select array(
           select 'org:' || features.name || ':' || names.name
             from features
             join masks on masks.index = features.index
            cross join names
            where mod(floor(masks.mask / power(2::numeric, names.index)), 2) = 1
            order by features.index, names.index
         )
    into v_keys;
  return v_keys;
end
$$;

comment on function app_private.permissions_in_claims(jsonb) is E'The organization permission keys a JWT carries (Neon template, v1 or v2 session token), or null when it carries none.';
