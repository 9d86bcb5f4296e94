-- The links are a function of the role and permission rows, not of the event that changed them,
-- so they converge whatever the order: a deleted role grants nothing, a deleted permission is
-- granted by no role, and a live role grants exactly the live permissions of its newest version.
create or replace function app_private.refresh_role_permissions(p_role_ids text[]) returns void
language sql volatile as $$
  delete from app_public.role_permissions as l
   where l.role_id = any(p_role_ids)
     and not exists (
       select from app_public.roles as r
         join app_public.permissions as p on p.id = l.permission_id
        where r.id = l.role_id and r.deleted_at is null and p.deleted_at is null and l.permission_id = any(r.permission_ids));
  insert into app_public.role_permissions (role_id, permission_id)
  select r.id, p.id
    from app_public.roles as r
    join app_public.permissions as p on p.id = any(r.permission_ids)
   where r.id = any(p_role_ids) and r.deleted_at is null and p.deleted_at is null
  on conflict do nothing;
$$;
comment on function app_private.refresh_role_permissions(text[]) is E'Rewrites the app_public.role_permissions links of these roles from their rows: the permission_ids of each live role that name a live permission.';
