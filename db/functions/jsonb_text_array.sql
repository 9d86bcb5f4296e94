create or replace function app_private.jsonb_text_array(value jsonb) returns text[]
language sql immutable parallel safe as $$
  select case when jsonb_typeof(value) = 'array'
    then array(select jsonb_array_elements_text(value))
    else '{}'::text[]
  end
$$;
comment on function app_private.jsonb_text_array(jsonb) is E'A JSON array as text[] (elements as text); {} when the value is not an array.';
