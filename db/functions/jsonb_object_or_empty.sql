create or replace function app_private.jsonb_object_or_empty(value jsonb) returns jsonb
language sql immutable parallel safe as $$
  select case when jsonb_typeof(value) = 'object' then value else '{}'::jsonb end
$$;
comment on function app_private.jsonb_object_or_empty(jsonb) is E'The value when it is a JSON object, else {}: metadata fields may be null or missing in real payloads.';
