create or replace function app_private.jsonb_boolean(value jsonb) returns boolean
language sql immutable parallel safe as $$
  select case
    when jsonb_typeof(value) = 'boolean' then value::boolean
    when jsonb_typeof(value) = 'string' and lower(value #>> '{}') in ('true', 'false') then lower(value #>> '{}')::boolean
  end
$$;
comment on function app_private.jsonb_boolean(jsonb) is E'A JSON boolean, or the strings "true"/"false" (JWT templates render booleans as strings); null for anything else.';
