-- A child may arrive before its parent: a placeholder (id only, clerk_updated_at null) takes
-- the parent's place, and the parent's own event fills it whatever its version. The share
-- lock orders this event after a concurrent deletion of the parent, so the child sees it.
-- Organizations and users, the parents of nearly every child, have static statements; the
-- parent usually exists, so it is looked up first and inserted only when missing.
create or replace function app_private.ensure_clerk_parent(p_kind text, p_id text) returns timestamptz
language plpgsql volatile as $$
declare
  v_deleted_at timestamptz;
begin
  if p_id is null or p_id = '' then
    raise exception 'missing % id', p_kind using errcode = '22023';
  end if;
  if p_kind = 'organizations' then
    select t.deleted_at into v_deleted_at from app_public.organizations as t where t.id = p_id for share;
    if not found then
      insert into app_public.organizations (id) values (p_id) on conflict (id) do nothing;
      select t.deleted_at into v_deleted_at from app_public.organizations as t where t.id = p_id for share;
    end if;
  elsif p_kind = 'users' then
    select t.deleted_at into v_deleted_at from app_public.users as t where t.id = p_id for share;
    if not found then
      insert into app_public.users (id) values (p_id) on conflict (id) do nothing;
      select t.deleted_at into v_deleted_at from app_public.users as t where t.id = p_id for share;
    end if;
  else
    execute format('insert into app_public.%I (id) values ($1) on conflict (id) do nothing', p_kind) using p_id;
    execute format('select t.deleted_at from app_public.%I as t where t.id = $1 for share', p_kind) into v_deleted_at using p_id;
  end if;
  return v_deleted_at;
end;
$$;
comment on function app_private.ensure_clerk_parent(text, text) is E'Makes sure app_public.<p_kind> has a row for p_id (a placeholder when the parent has not arrived yet), locks it for share, and returns its deleted_at, which the child inherits.';
