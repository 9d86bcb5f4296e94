-- The columns of app_public.users that one version of a Clerk user (its JSON) holds. Shared by
-- user.* events and the copies other events embed (a session's user), so both are read the same way.
create or replace function app_private.user_version_of(data jsonb) returns app_public.users
language plpgsql immutable as $$
declare
  v_public_metadata jsonb;
  v_user app_public.users;
begin
  v_public_metadata := app_private.jsonb_object_or_empty(user_version_of.data -> 'public_metadata');
  v_user.email := (select e ->> 'email_address'
                     from jsonb_array_elements(case when jsonb_typeof(user_version_of.data -> 'email_addresses') = 'array' then user_version_of.data -> 'email_addresses' else '[]' end) as e
                    where e ->> 'id' = user_version_of.data ->> 'primary_email_address_id'
                    limit 1);
  v_user.first_name := user_version_of.data ->> 'first_name';
  v_user.last_name := user_version_of.data ->> 'last_name';
  v_user.username := user_version_of.data ->> 'username';
  v_user.image_url := user_version_of.data ->> 'image_url';
  v_user.public_metadata := v_public_metadata;
  v_user.onboarding_complete := coalesce(app_private.jsonb_boolean(v_public_metadata -> 'onboardingComplete'), false);
  v_user.role := case when jsonb_typeof(v_public_metadata -> 'role') = 'string' then v_public_metadata ->> 'role' end;
  v_user.banned := coalesce(app_private.jsonb_boolean(user_version_of.data -> 'banned'), false);
  v_user.locked := coalesce(app_private.jsonb_boolean(user_version_of.data -> 'locked'), false);
  v_user.last_sign_in_at := app_private.clerk_time(user_version_of.data -> 'last_sign_in_at');
  v_user.last_active_at := app_private.clerk_time(user_version_of.data -> 'last_active_at');
  v_user.clerk_created_at := app_private.clerk_time(user_version_of.data -> 'created_at');
  return v_user;
end;
$$;
comment on function app_private.user_version_of(jsonb) is
  E'The app_public.users columns a Clerk user''s JSON holds (primary email, names, username, image, '
  'public metadata and what it implies, flags, sign-in times, creation time); id and bookkeeping '
  'columns are left to the caller.';
