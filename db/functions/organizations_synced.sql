-- A organization row can exist before Clerk has sent the organization itself: a membership (or invitation)
-- that arrived first leaves a placeholder holding only the id. Clients tell the two apart here.
create or replace function app_public.organizations_synced(organization app_public.organizations) returns boolean
  language sql stable
  as $$
    select organization.clerk_updated_at is not null
$$;

comment on function app_public.organizations_synced(app_public.organizations) is
  E'True once a version of this organization from Clerk has been applied; false for a placeholder, created '
  'because another object (a membership, an invitation) named it first, whose fields are still empty.';
grant execute on function app_public.organizations_synced(app_public.organizations) to authenticated;
