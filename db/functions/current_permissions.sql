-- The permission keys of the visitor in the active organization. The token decides (Neon template,
-- v1 or v2 shape); a token without a permission list falls back to the synced membership of
-- (user, organization). Clerk leaves system permissions (org:sys_*) out of session tokens, so those
-- always come from the membership. SECURITY DEFINER so the lookup never depends on the caller's
-- own policies (no policy recursion) and can use the app_private claim parser.
create or replace function app_public.current_permissions() returns text[]
  language sql stable security definer parallel safe
  set search_path = pg_catalog
  as $$
    with request as (
      select app_public.current_claims() as claims, app_public.current_user_id() as user_id, app_public.current_org_id() as org_id
    ),
    membership as (
      select m.permissions
        from app_public.organization_memberships m, request
       where m.user_id = request.user_id and m.organization_id = request.org_id and m.deleted_at is null
       limit 1
    )
    select array(
             select distinct key
               from request,
                    unnest(
                      coalesce(app_private.permissions_in_claims(request.claims), (select permissions from membership))
                      || array(select key from membership, unnest(membership.permissions) as key where key like 'org:sys\_%')
                    ) as key
              where request.org_id is not null and key is not null
              order by key
           )
  $$;

comment on function app_public.current_permissions() is E'The visitor''s permission keys in the active organization (such as `org:sys_memberships:read`): those the session token carries, plus system permissions from the synced membership; the membership''s full list when the token carries none. Empty without an active organization.';
revoke all on function app_public.current_permissions() from public;
grant execute on function app_public.current_permissions() to authenticated, anonymous;
