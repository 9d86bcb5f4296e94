--! Previous: sha1:15b8e2c0100551fc24e4cfa6d8df2f28b1fb3d0e
--! Hash: sha1:4620ad1ed4dd3b927d0c16ee59d18667b58d2628
--! Message: Permissions fresher than the token (current_access, one cached lookup); tenant writes audited with actor_id, updated_at and unmatched writes handled by shared triggers

-- Access is fresher than the token: one helper (current_access) checks the token against the
-- synced membership, and every permission check goes through it.
create index if not exists organization_memberships_user_id_organization_id_idx
  on app_public.organization_memberships (user_id, organization_id);
--! Included functions/permissions_in_claims.sql
-- Permission keys carried by a token, in this order of shapes:
--   Neon template: "org_membership.permissions" (a JSON array, or the same rendered as a string);
--   v1 session token: org_permissions (array);
--   v2 session token: o.per lists permission names, fea lists features ('o:' / 'ou:' / 'uo:' are
--   organization features) and o.fpm holds one decimal bitmask per organization feature saying
--   which names apply to it; key = 'org:<feature>:<name>' (as @clerk/shared's jwtPayloadParser).
-- Null when the token carries no permission list at all, so callers can fall back.
-- PL/pgSQL with the common shapes first: each policy's initplan parses the claims once per
-- statement, and a cached plan per branch keeps that to microseconds.
create or replace function app_private.permissions_in_claims(claims jsonb) returns text[]
  language plpgsql immutable parallel safe
  as $$
declare
  v_listed jsonb := coalesce(nullif(claims -> 'org_membership.permissions', '""'), claims -> 'org_permissions');
  v_keys text[];
begin
  case jsonb_typeof(v_listed)
    when 'array' then
      return array(select jsonb_array_elements_text(v_listed));
    when 'string' then
      if left(btrim(v_listed #>> '{}'), 1) = '[' then
        return array(select jsonb_array_elements_text((v_listed #>> '{}')::jsonb));
      end if;
      return array(select part from regexp_split_to_table(v_listed #>> '{}', '[\s,]+') as part where part <> '');
    else
      null;
  end case;
  if jsonb_typeof(claims -> 'o') is distinct from 'object' or not (claims -> 'o') ? 'per' then
    return null;
  end if;
  with
    features as (
      select substr(btrim(part), strpos(btrim(part), ':') + 1) as name, row_number() over (order by position) - 1 as index
        from unnest(string_to_array(claims ->> 'fea', ',')) with ordinality as fea(part, position)
       where split_part(btrim(part), ':', 1) in ('o', 'ou', 'uo')
    ),
    names as (
      select btrim(name) as name, position - 1 as index
        from unnest(string_to_array(claims -> 'o' ->> 'per', ',')) with ordinality as per(name, position)
    ),
    masks as (
      select btrim(mask)::numeric as mask, position - 1 as index
        from unnest(string_to_array(claims -> 'o' ->> 'fpm', ',')) with ordinality as fpm(mask, position)
       where btrim(mask) ~ '^\d+$'
    )
  select array(
           select 'org:' || features.name || ':' || names.name
             from features
             join masks on masks.index = features.index
            cross join names
            where mod(floor(masks.mask / power(2::numeric, names.index)), 2) = 1
            order by features.index, names.index
         )
    into v_keys;
  return v_keys;
end
$$;

comment on function app_private.permissions_in_claims(jsonb) is E'The organization permission keys a JWT carries (Neon template, v1 or v2 session token), or null when it carries none.';
--! EndIncluded functions/permissions_in_claims.sql
--! Included functions/current_access.sql
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
  set search_path = pg_catalog
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
--! EndIncluded functions/current_access.sql
--! Included functions/current_permissions.sql
-- The permission keys of the visitor in the active organization, fresher than the token: see
-- current_access, which decides. Inlined into its caller, so `(select app_public.current_permissions())`
-- in a policy is one initplan calling current_access once per statement.
create or replace function app_public.current_permissions() returns text[]
  language sql stable parallel safe
  as $$ select (app_public.current_access()).permissions $$;

comment on function app_public.current_permissions() is E'The visitor''s permission keys in the active organization (such as `org:sys_memberships:read`): those the session token carries that the synced membership also grants, plus the membership''s system permissions; the token''s as issued while no membership is synced yet; none once the membership ended or the organization or user was deleted or the user banned. Empty without an active organization.';
revoke all on function app_public.current_permissions() from public;
grant execute on function app_public.current_permissions() to authenticated, anonymous;
--! EndIncluded functions/current_permissions.sql
--! Included functions/has_permission.sql
-- The one question policies ask about permissions; wrap it as (select app_public.has_permission('…'))
-- so Postgres evaluates it once per statement. Fresher than the token: see current_access.
create or replace function app_public.has_permission(permission text) returns boolean
  language sql stable strict parallel safe
  as $$ select permission = any(app_public.current_permissions()) $$;

comment on function app_public.has_permission(text) is E'Whether the visitor holds this permission key (such as `org:admin:view_audit_logs`) in the active organization: carried by the session token and not contradicted by the synced membership.';
grant execute on function app_public.has_permission(text) to authenticated, anonymous;
--! EndIncluded functions/has_permission.sql

-- Tables visitors write: audited with the acting user (such changes have no delivery), their
-- updated_at kept by the database, and an update or delete that matched nothing refused.
alter table app_public.audit_logs add column if not exists actor_id text;
alter table app_public.audit_logs alter column svix_id drop not null;
alter table app_public.audit_logs alter column event_type drop not null;
comment on column app_public.audit_logs.actor_id is E'The Clerk user whose request made the change (current_user_id()), for changes visitors make to tenant data; null for changes made by the Clerk sync.';
comment on column app_public.audit_logs.svix_id is E'The delivery (svix-id, or payload hash for deliveries without one) that made the change; null for a change a visitor made (see actor_id).';
comment on column app_public.audit_logs.event_type is E'Clerk event type, e.g. organizationMembership.updated; null for a change a visitor made.';
comment on table app_public.audit_logs is E'One row per change to a synced row (by the Clerk sync, with the delivery that caused it) or to tenant data (by a visitor, with actor_id), with what changed.';
create index if not exists audit_logs_actor_id_idx on app_public.audit_logs (actor_id) where actor_id is not null;
--! Included functions/touch_updated_at.sql
-- BEFORE UPDATE trigger of tables visitors write: updated_at is the database's time of the change,
-- whatever the client sent.
create or replace function app_private.touch_updated_at() returns trigger
  language plpgsql
  as $$
begin
  new.updated_at := now();
  return new;
end
$$;

comment on function app_private.touch_updated_at() is E'Trigger: sets updated_at to the transaction time on every update.';
--! EndIncluded functions/touch_updated_at.sql
--! Included functions/refuse_unmatched_write.sql
-- AFTER UPDATE/DELETE statement trigger of the tables visitors write. Postgres reports an update
-- or delete that matched no row as success (row-level security hides rows silently), and
-- PostGraphile would answer a null payload: a visitor's write that changed nothing is refused
-- instead, with no_data_found (P0002), which the API reports as NOT_FOUND. The owner writing
-- outside a request (no user in the claims) may match nothing.
create or replace function app_private.refuse_unmatched_write() returns trigger
  language plpgsql
  as $$
begin
  if app_public.current_user_id() is not null and not exists (select from changed_rows) then
    raise exception 'No such row in %: it does not exist in your organization, or your session may not % it.', tg_table_name, lower(tg_op)
      using errcode = 'no_data_found';
  end if;
  return null;
end
$$;

comment on function app_private.refuse_unmatched_write() is E'Statement trigger: a visitor''s update or delete that matched no row (missing, or hidden by row-level security) raises no_data_found instead of succeeding silently.';
--! EndIncluded functions/refuse_unmatched_write.sql
--! Included functions/audit_tenant_change.sql
-- AFTER INSERT/UPDATE/DELETE trigger shared by every table visitors write (one function, attached
-- per table): one app_public.audit_logs row per changed row, holding only the fields that changed
-- as {"field": {"before", "after"}}, the organization of the row and the acting user
-- (current_user_id(); null when the owner writes outside a request). Such rows have no delivery
-- (svix_id, event_type null), which is how they differ from the Clerk sync's own audit rows.
-- SECURITY DEFINER: visitors may not write audit_logs themselves.
-- Expects the table to have `id` and `organization_id` columns.
create or replace function app_private.audit_tenant_change() returns trigger
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
declare
  v_before jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  v_after jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  v_row jsonb := coalesce(v_after, v_before);
  v_changes jsonb;
begin
  select coalesce(jsonb_object_agg(d.key, jsonb_build_object('before', d.before, 'after', d.after)), '{}')
    into v_changes
    from (
      select k.key, coalesce(v_before -> k.key, 'null') as before, coalesce(v_after -> k.key, 'null') as after
        from jsonb_object_keys(coalesce(v_before, '{}') || coalesce(v_after, '{}')) as k(key)
       where k.key not in ('updated_at')
    ) as d
   where d.before is distinct from d.after;
  if tg_op = 'UPDATE' and v_changes = '{}' then
    return null;
  end if;
  insert into app_public.audit_logs (organization_id, entity_kind, entity_id, action, changes, actor_id, occurred_at)
  values (
    v_row ->> 'organization_id', tg_table_name, v_row ->> 'id',
    case tg_op when 'INSERT' then 'created' when 'UPDATE' then 'updated' else 'deleted' end,
    v_changes, app_public.current_user_id(), now()
  );
  return null;
end
$$;

comment on function app_private.audit_tenant_change() is E'Trigger shared by the tables visitors write: one audit_logs row per inserted, updated (fields changed) or deleted row, with only the changed fields and the acting user as actor_id.';
--! EndIncluded functions/audit_tenant_change.sql
