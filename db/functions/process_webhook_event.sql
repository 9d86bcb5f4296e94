-- A replay: runs the sync again for a stored ledger row and records the new outcome on it. The
-- first delivery does not come here (handle_clerk_event writes its row once, after the sync).
create or replace function app_private.process_webhook_event(p_svix_id text) returns jsonb
language plpgsql volatile as $$
declare
  v_ledger app_private.webhook_events;
  v_outcome text;
  v_error_code text;
  v_error_message text;
begin
  select * into strict v_ledger from app_private.webhook_events as w where w.svix_id = p_svix_id for update;
  select p.outcome, p.error_code, p.error_message into v_outcome, v_error_code, v_error_message
    from app_private.process_clerk_event(
      app_private.clerk_event_of(v_ledger.svix_id, v_ledger.payload, coalesce(v_ledger.occurred_at, v_ledger.received_at)),
      v_ledger.payload) as p;
  update app_private.webhook_events as w
     set outcome = v_outcome, error_code = v_error_code, error_message = v_error_message, processed_at = clock_timestamp()
   where w.svix_id = p_svix_id
  returning * into v_ledger;
  return app_private.webhook_event_result(v_ledger, v_outcome);
end;
$$;
comment on function app_private.process_webhook_event(text) is E'Syncs again the event stored in the ledger row p_svix_id (a replay) and records its outcome there (processed, stale, ignored, failed with SQLSTATE and message). Permanent errors are caught; transient ones (classes 40, 53, 57, 08 and 55P03) propagate so the replay can be retried. Returns the result object of handle_clerk_event.';
