-- Every string inside a JSON document with the key it sits under (array elements take their
-- array's key): what pii-scan reads when it has to tell a person's values from structural ones.
create or replace function app_private.jsonb_strings(document jsonb) returns table (key text, value text)
language sql immutable parallel safe as $$
  with recursive walk(key, value) as (
    select null::text, document
    union all
    select coalesce(e.key, w.key), coalesce(e.value, a.value)
      from walk as w
      left join lateral jsonb_each(case when jsonb_typeof(w.value) = 'object' then w.value end) as e on true
      left join lateral jsonb_array_elements(case when jsonb_typeof(w.value) = 'array' then w.value end) as a on true
     where jsonb_typeof(w.value) in ('object', 'array') and coalesce(e.value, a.value) is not null
  )
  select w.key, w.value #>> '{}' from walk as w where jsonb_typeof(w.value) = 'string'
$$;
comment on function app_private.jsonb_strings(jsonb) is E'Every string value in document, with the object key it is under (elements of an array take the array''s key; null at the top level).';
