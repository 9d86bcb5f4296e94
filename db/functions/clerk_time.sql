-- Clerk sends epoch milliseconds, but some senders (and Clerk's own OpenAPI examples) send
-- seconds: no real millisecond value is below 1e11 (that is 1973), so smaller ones are seconds.
create or replace function app_private.clerk_time(value jsonb) returns timestamptz
language sql immutable parallel safe as $$
  select case
    when v is null or v < -1e11 or v >= 1e15 then null
    when abs(v) < 1e11 then to_timestamp(v::float8)
    else to_timestamp(v::float8 / 1000)
  end
  from (
    select case
      when jsonb_typeof(value) = 'number' then value::numeric
      when jsonb_typeof(value) = 'string' and value #>> '{}' ~ '^-?\d+(\.\d+)?$' then (value #>> '{}')::numeric
    end as v
  ) as parsed
$$;
comment on function app_private.clerk_time(jsonb) is E'A Clerk time (epoch milliseconds, or seconds when below 1e11) as timestamptz; null for null, missing, non-numeric or absurd values, so a bad field never fails an event.';
