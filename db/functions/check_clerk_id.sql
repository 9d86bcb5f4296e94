-- One id of a Clerk payload, for check_clerk_shape: a non-empty string with the expected prefix.
create or replace function app_private.check_clerk_id(p_value jsonb, p_path text, p_prefix text, p_required boolean) returns void
language plpgsql immutable as $$
begin
  if p_value is null or jsonb_typeof(p_value) = 'null' or p_value = '""'::jsonb then
    if p_required then
      raise exception '%: missing (expected an id starting with %)', p_path, p_prefix using errcode = '22023';
    end if;
  elsif jsonb_typeof(p_value) <> 'string' or left(p_value #>> '{}', length(p_prefix)) <> p_prefix or length(p_value #>> '{}') = length(p_prefix) then
    raise exception '%: expected an id starting with %, got %', p_path, p_prefix, left(p_value::text, 80) using errcode = '22023';
  end if;
end;
$$;
comment on function app_private.check_clerk_id(jsonb, text, text, boolean) is
  E'Raises 22023 naming p_path when p_value is not a string starting with p_prefix (and longer than it), '
  'or is missing while p_required.';
