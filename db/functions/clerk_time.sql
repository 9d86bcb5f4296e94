-- Clerk sends epoch milliseconds, but some senders (and Clerk's own OpenAPI examples) send
-- seconds: no real millisecond value is below 1e11 (that is 1973), so smaller ones are seconds.
-- plpgsql rather than sql: a SQL body this size is not inlined, and runs several times per event.
create or replace function app_private.clerk_time(value jsonb) returns timestamptz
language plpgsql immutable parallel safe as $$
declare
  v_number numeric := case
    when jsonb_typeof(value) = 'number' then value::numeric
    when jsonb_typeof(value) = 'string' and value #>> '{}' ~ '^-?\d+(\.\d+)?$' then (value #>> '{}')::numeric
  end;
begin
  if v_number is null or v_number < -1e11 or v_number >= 1e15 then
    return null;
  end if;
  return to_timestamp((case when abs(v_number) < 1e11 then v_number else v_number / 1000 end)::float8);
end;
$$;
comment on function app_private.clerk_time(jsonb) is E'A Clerk time (epoch milliseconds, or seconds when below 1e11) as timestamptz; null for null, missing, non-numeric or absurd values, so a bad field never fails an event.';
