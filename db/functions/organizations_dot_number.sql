-- Computed column organizations.dotNumber (GraphQL `dotNumber`): Clerk keeps it in the organization's
-- public_metadata, which the sync stores as sent; this reads it where it lies.
create or replace function app_public.organizations_dot_number(organization app_public.organizations) returns text
  language sql stable parallel safe
  as $$ select nullif(btrim(organization.public_metadata ->> 'dotNumber'), '') $$;

comment on function app_public.organizations_dot_number(app_public.organizations) is E'The organization''s `dotNumber` from its Clerk public metadata; null when not set.';
grant execute on function app_public.organizations_dot_number(app_public.organizations) to authenticated;
