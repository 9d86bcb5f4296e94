-- A user row can exist before Clerk has sent the user itself: a membership (or invitation)
-- that arrived first leaves a placeholder holding only the id. Clients tell the two apart here.
create or replace function app_public.users_synced(app_user app_public.users) returns boolean
  language sql stable
  as $$
    select app_user.clerk_updated_at is not null
$$;

comment on function app_public.users_synced(app_public.users) is
  E'True once a version of this user from Clerk has been applied; false for a placeholder, created '
  'because another object (a membership, an invitation) named it first, whose fields are still empty.';
grant execute on function app_public.users_synced(app_public.users) to authenticated;
