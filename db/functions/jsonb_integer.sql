create or replace function app_private.jsonb_integer(value jsonb) returns integer
language sql immutable parallel safe as $$
  select case when jsonb_typeof(value) = 'number'
    then least(greatest(trunc(value::numeric), -2147483648), 2147483647)::integer
  end
$$;
comment on function app_private.jsonb_integer(jsonb) is E'A JSON number as integer (truncated, clamped to the integer range); null for anything else.';
