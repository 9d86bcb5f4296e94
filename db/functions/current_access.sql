-- What the session may do in its active organization, fresher than the token. A Clerk session
-- token lives up to a minute, the webhook that ends or changes a membership arrives sooner, so a
-- claim counts only while the synced data does not contradict it:
--   - no synced membership of (user, organization) yet: the token is trusted as issued, so a new
--     member can act while their membership's webhook is in flight;
--   - a live synced membership: a permission counts when the token carries it and the membership
--     grants it too (a demotion takes effect when its webhook commits, a promotion with the next
--     token Clerk issues). System permissions (org:sys_*), which Clerk leaves out of session
--     tokens, come from the membership alone; a token without any permission list gets the
--     membership's whole list;
--   - only ended memberships, a deleted organization, or a deleted or banned user: nothing.
-- The one helper behind current_permissions() and has_permission(), which every tenant policy
-- calls as an initplan (once per statement). PL/pgSQL keeps its one lookup (three index probes:
-- users and organizations by primary key, organization_memberships by (user_id, organization_id))
-- as a cached plan, so a call costs microseconds however many memberships exist. SECURITY DEFINER
-- so the lookup never runs under (or recurses into) the caller's own policies.
create or replace function app_public.current_access(out organization_id text, out permissions text[])
  language plpgsql stable security definer parallel safe
  set search_path = pg_catalog, pg_temp
  -- The lookup's generic plan is as good as any custom one: plan it once per connection, not on
  -- each of a connection's first five calls.
  set plan_cache_mode = force_generic_plan
  as $$
declare
  v_user_id text := app_public.current_user_id();
  v_org_id text := app_public.current_org_id();
  v_token text[];
  v_refused boolean;
  v_found boolean;
  v_live boolean;
  v_granted text[];
begin
  permissions := '{}';
  if v_user_id is null or v_org_id is null then
    return;
  end if;
  -- A user removed and added again has an ended row and a live one: the live one decides.
  select coalesce((select u.deleted_at is not null or u.banned from app_public.users u where u.id = v_user_id), false)
         or coalesce((select o.deleted_at is not null from app_public.organizations o where o.id = v_org_id), false),
         m.id is not null, m.deleted_at is null, m.permissions
    into v_refused, v_found, v_live, v_granted
    from (select) as one
    left join lateral (
      select m.id, m.deleted_at, m.permissions
        from app_public.organization_memberships m
       where m.user_id = v_user_id and m.organization_id = v_org_id
       order by m.deleted_at is null desc
       limit 1
    ) as m on true;
  if v_refused or (v_found and not v_live) then
    return;
  end if;
  organization_id := v_org_id;
  v_token := app_private.permissions_in_claims(app_public.current_claims());
  -- Sorted and without duplicates, so the result reads the same whatever the token's order.
  if not v_found then
    permissions := array(select distinct key from unnest(v_token) as key where key is not null order by key);
  else
    permissions := array(select distinct key from unnest(v_granted) as key
                          where v_token is null or key = any(v_token) or key like 'org:sys\_%'
                          order by key);
  end if;
end;
$$;

comment on function app_public.current_access() is E'@behavior -*\nThe active organization and the permission keys the session holds there, after checking the token against the synced membership (none yet: the token as issued; live: what both grant; ended, or organization or user deleted, or user banned: nothing).';
revoke all on function app_public.current_access() from public;
grant execute on function app_public.current_access() to authenticated, anonymous;
