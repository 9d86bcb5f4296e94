--! Previous: sha1:3b745a2a74eb9822042722ba7f733b869292c7c7
--! Hash: sha1:c024ae0c1b5bfc23c8d19f663a2ba79e71a07e03
--! Message: Cascades are always called by the user and organization syncs

-- Cascades are always called: `v_changed := f(…) or v_changed` could be planned to skip f.
--! Included functions/sync_user.sql
create or replace function app_private.sync_user(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  -- What a deletion leaves of a user's personal data (SPEC 2.5: email, names, image, metadata).
  c_scrub constant jsonb := '{"email": null, "first_name": null, "last_name": null, "username": null, "image_url": null,
                              "public_metadata": {}, "onboarding_complete": false, "role": null}';
  v_data jsonb := event.data;
  v_public_metadata jsonb := app_private.jsonb_object_or_empty(event.data -> 'public_metadata');
  v_deleted_at timestamptz;
  v_changed boolean;
begin
  if event.event_type = 'user.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    v_changed := app_private.apply_clerk_change(event, 'users', v_data ->> 'id', p_deleted_at => v_deleted_at, p_scrub => c_scrub);
    -- `if`, not `v_changed := cascade(…) or v_changed`: Postgres may plan that OR with v_changed
    -- as a constant and skip the call once v_changed is true (see sync_role).
    if app_private.cascade_clerk_delete(event, 'organization_memberships', 'user_id', v_data ->> 'id', v_deleted_at) then
      v_changed := true;
    end if;
    -- The user's address is personal data too where Clerk's messages recorded it.
    update app_private.clerk_messages as m set to_address = null where m.user_id = v_data ->> 'id' and m.to_address is not null;
  elsif event.event_type in ('user.created', 'user.updated') then
    v_changed := app_private.apply_clerk_change(
      event, 'users', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'email', (select e ->> 'email_address'
                    from jsonb_array_elements(case when jsonb_typeof(v_data -> 'email_addresses') = 'array' then v_data -> 'email_addresses' else '[]' end) as e
                   where e ->> 'id' = v_data ->> 'primary_email_address_id'
                   limit 1),
        'first_name', v_data ->> 'first_name',
        'last_name', v_data ->> 'last_name',
        'username', v_data ->> 'username',
        'image_url', v_data ->> 'image_url',
        'public_metadata', v_public_metadata,
        'onboarding_complete', coalesce(app_private.jsonb_boolean(v_public_metadata -> 'onboardingComplete'), false),
        'role', case when jsonb_typeof(v_public_metadata -> 'role') = 'string' then v_public_metadata ->> 'role' end,
        'banned', coalesce(app_private.jsonb_boolean(v_data -> 'banned'), false),
        'locked', coalesce(app_private.jsonb_boolean(v_data -> 'locked'), false),
        'last_sign_in_at', app_private.clerk_time(v_data -> 'last_sign_in_at'),
        'last_active_at', app_private.clerk_time(v_data -> 'last_active_at'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'),
      p_scrub => c_scrub);
  else
    return 'ignored';
  end if;
  return case when v_changed then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_user(app_private.clerk_event) is E'user.created/updated/deleted into app_public.users. A deletion soft-deletes the user, scrubs personal data (row, private metadata, audit history, recipient of its Clerk emails/SMS) and soft-deletes the user''s memberships. Returns processed, stale or ignored (other user.* types).';
--! EndIncluded functions/sync_user.sql
--! Included functions/sync_organization.sql
create or replace function app_private.sync_organization(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_deleted_at timestamptz;
  v_changed boolean;
begin
  if event.event_type = 'organization.deleted' then
    v_deleted_at := app_private.clerk_deletion_time(event);
    v_changed := app_private.apply_clerk_change(event, 'organizations', v_data ->> 'id', p_deleted_at => v_deleted_at);
    -- `if`, not `v_changed := cascade(…) or v_changed`: Postgres may plan that OR with v_changed
    -- as a constant and skip the call once v_changed is true (see sync_role).
    if app_private.cascade_clerk_delete(event, 'organization_memberships', 'organization_id', v_data ->> 'id', v_deleted_at) then
      v_changed := true;
    end if;
    if app_private.cascade_clerk_delete(event, 'organization_invitations', 'organization_id', v_data ->> 'id', v_deleted_at) then
      v_changed := true;
    end if;
    if app_private.cascade_clerk_delete(event, 'organization_domains', 'organization_id', v_data ->> 'id', v_deleted_at) then
      v_changed := true;
    end if;
  elsif event.event_type in ('organization.created', 'organization.updated') then
    v_changed := app_private.apply_clerk_change(
      event, 'organizations', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'name', v_data ->> 'name',
        'slug', v_data ->> 'slug',
        'image_url', v_data ->> 'image_url',
        'created_by', nullif(v_data ->> 'created_by', ''),
        'max_allowed_memberships', app_private.jsonb_integer(v_data -> 'max_allowed_memberships'),
        'admin_delete_enabled', app_private.jsonb_boolean(v_data -> 'admin_delete_enabled'),
        'public_metadata', app_private.jsonb_object_or_empty(v_data -> 'public_metadata'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event),
      p_private_metadata => app_private.jsonb_object_or_empty(v_data -> 'private_metadata'));
  else
    return 'ignored';
  end if;
  return case when v_changed then 'processed' else 'stale' end;
end;
$$;
comment on function app_private.sync_organization(app_private.clerk_event) is E'organization.created/updated/deleted into app_public.organizations. A deletion soft-deletes the organization and its memberships, invitations and domains. Returns processed, stale or ignored (other organization.* types).';
--! EndIncluded functions/sync_organization.sql
