-- The columns of app_public.organizations that one version of a Clerk organization (its JSON)
-- holds. Shared by organization.* events and the copies other events embed (a membership's
-- organization), so both are read the same way.
create or replace function app_private.organization_version_of(data jsonb) returns app_public.organizations
language plpgsql immutable as $$
declare
  v_organization app_public.organizations;
begin
  v_organization.name := organization_version_of.data ->> 'name';
  v_organization.slug := organization_version_of.data ->> 'slug';
  v_organization.image_url := organization_version_of.data ->> 'image_url';
  v_organization.created_by := nullif(organization_version_of.data ->> 'created_by', '');
  v_organization.max_allowed_memberships := app_private.jsonb_integer(organization_version_of.data -> 'max_allowed_memberships');
  v_organization.admin_delete_enabled := app_private.jsonb_boolean(organization_version_of.data -> 'admin_delete_enabled');
  v_organization.public_metadata := app_private.jsonb_object_or_empty(organization_version_of.data -> 'public_metadata');
  v_organization.clerk_created_at := app_private.clerk_time(organization_version_of.data -> 'created_at');
  return v_organization;
end;
$$;
comment on function app_private.organization_version_of(jsonb) is
  E'The app_public.organizations columns a Clerk organization''s JSON holds (name, slug, image, creator, '
  'limits, public metadata, creation time); id and bookkeeping columns are left to the caller.';
