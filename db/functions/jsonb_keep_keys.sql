-- The shape-preserving way to erase part of a stored payload: the object keeps every key, so a
-- reader still sees which fields Clerk sent, but only the named ones keep their values.
create or replace function app_private.jsonb_keep_keys(object jsonb, keep text[]) returns jsonb
language sql immutable parallel safe as $$
  select case when jsonb_typeof(object) = 'object' then
    (select coalesce(jsonb_object_agg(f.key, case when f.key = any(keep) then f.value else 'null'::jsonb end), '{}')
       from jsonb_each(object) as f)
    else object end
$$;
comment on function app_private.jsonb_keep_keys(jsonb, text[]) is E'object with the value of every key not in keep replaced by JSON null (keys stay, so the shape is kept); anything that is not an object is returned unchanged.';
