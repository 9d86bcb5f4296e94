-- Whether the visitor's session token names an organization they are known to have left: their
-- membership of it ended (and no live one replaced it), the organization was deleted, or the user
-- was. Tokens are trusted as issued for queries, but a live subscription outlasts the moment its
-- token was checked, so subscriptions end when the sync learns of the departure, and a token issued
-- before it (still valid for up to a minute) cannot open new ones. A membership not synced yet is
-- not a departure. SECURITY DEFINER: deleted rows are hidden from the visitor by their policies.
create or replace function app_public.live_access_ended() returns boolean
  language sql stable security definer set search_path = pg_catalog
  as $$
    select
      exists (select 1 from app_public.users u where u.id = app_public.current_user_id() and u.deleted_at is not null)
      or exists (select 1 from app_public.organizations o where o.id = app_public.current_org_id() and o.deleted_at is not null)
      or (
        exists (
          select 1 from app_public.organization_memberships m
           where m.organization_id = app_public.current_org_id() and m.user_id = app_public.current_user_id() and m.deleted_at is not null
        )
        and not exists (
          select 1 from app_public.organization_memberships m
           where m.organization_id = app_public.current_org_id() and m.user_id = app_public.current_user_id() and m.deleted_at is null
        )
      )
  $$;

comment on function app_public.live_access_ended() is E'@behavior -*\nWhether the visitor''s user, active organization or membership of it is known to be deleted: live subscriptions of such a session end.';
revoke all on function app_public.live_access_ended() from public;
grant execute on function app_public.live_access_ended() to authenticated;
