create or replace function app_private.sync_session(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_changes integer;
begin
  -- session.pending has no published schema; what it carries is read like any session.
  if event.event_type in ('session.created', 'session.ended', 'session.removed', 'session.revoked', 'session.pending') then
    -- Ending, removing and revoking are statuses: a session is never deleted, and it needs no
    -- placeholder user (sessions are not part of a user's deletion).
    v_changes := app_private.apply_clerk_change(
      event, 'sessions', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'user_id', nullif(v_data ->> 'user_id', ''),
        'client_id', v_data ->> 'client_id',
        'status', v_data ->> 'status',
        'last_active_organization_id', nullif(v_data ->> 'last_active_organization_id', ''),
        'last_active_at', app_private.clerk_time(v_data -> 'last_active_at'),
        'expire_at', app_private.clerk_time(v_data -> 'expire_at'),
        'abandon_at', app_private.clerk_time(v_data -> 'abandon_at'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event))::integer
      -- Newer payloads embed the whole user: a version of its own (stale when a newer one is held).
      + app_private.apply_embedded_version(event, 'users', v_data -> 'user');
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_session(app_private.clerk_event) is E'session.created/ended/removed/revoked/pending into app_public.sessions (status, times, last active organization); the embedded user, when present, is applied as a version of its own. Returns processed, stale or ignored (other session.* types).';
