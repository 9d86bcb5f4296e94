create or replace function app_private.replay_webhook_event(svix_id text) returns jsonb
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_ledger app_private.webhook_events;
begin
  select * into v_ledger from app_private.webhook_events as w where w.svix_id = replay_webhook_event.svix_id for update;
  if not found then
    raise exception 'no delivery with svix-id % in the ledger', replay_webhook_event.svix_id using errcode = 'P0002';
  end if;
  -- Applied or stale events already had their effect; running them again would change nothing.
  if v_ledger.outcome not in ('failed', 'ignored') then
    return app_private.webhook_event_result(v_ledger, 'duplicate');
  end if;
  update app_private.webhook_events as w set attempts = w.attempts + 1 where w.svix_id = v_ledger.svix_id;
  return app_private.process_webhook_event(v_ledger.svix_id);
end;
$$;
revoke all on function app_private.replay_webhook_event(text) from public;
comment on function app_private.replay_webhook_event(text) is E'Processes a stored delivery again, e.g. after fixing what made it fail. failed and ignored rows run again (with today''s code: a type modelled since then is applied); processed and stale rows are left alone and answer duplicate. Same result object as handle_clerk_event. Only the owner may call it (the ops CLI connects as the owner).';
