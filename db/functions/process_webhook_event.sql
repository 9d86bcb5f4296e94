-- Runs the sync for one ledger row and records the outcome on it. Shared by the first delivery
-- (handle_clerk_event) and by replays (replay_webhook_event).
create or replace function app_private.process_webhook_event(p_svix_id text) returns jsonb
language plpgsql volatile as $$
declare
  v_ledger app_private.webhook_events;
  v_event app_private.clerk_event;
  v_status text;
  v_error_code text;
  v_error_message text;
begin
  select * into strict v_ledger from app_private.webhook_events as w where w.svix_id = p_svix_id for update;
  v_event := row(
    v_ledger.svix_id,
    v_ledger.event_type,
    v_ledger.payload -> 'data',
    coalesce(v_ledger.occurred_at, v_ledger.received_at),
    nullif(v_ledger.payload #>> '{event_attributes,http_request,client_ip}', ''),
    nullif(v_ledger.payload #>> '{event_attributes,http_request,user_agent}', '')
  )::app_private.clerk_event;

  begin
    if jsonb_typeof(v_ledger.payload) is distinct from 'object' then
      raise exception 'payload is not a JSON object' using errcode = '22023';
    elsif v_ledger.event_type is null then
      raise exception 'payload has no type' using errcode = '22023';
    end if;
    v_status := app_private.sync_clerk_event(v_event);
  exception
    -- Transient: the whole delivery rolls back and the caller answers 503, so Svix retries.
    when transaction_rollback or insufficient_resources or operator_intervention or connection_exception or lock_not_available then
      raise;
    -- Permanent: the sync's writes are undone, the ledger row keeps the error for a replay.
    when others then
      get stacked diagnostics v_error_code = returned_sqlstate, v_error_message = message_text;
      v_status := 'failed';
  end;

  update app_private.webhook_events as w
     set outcome = v_status, error_code = v_error_code, error_message = v_error_message, processed_at = clock_timestamp()
   where w.svix_id = p_svix_id
  returning * into v_ledger;
  return app_private.webhook_event_result(v_ledger, v_status);
end;
$$;
comment on function app_private.process_webhook_event(text) is E'Syncs the event stored in the ledger row p_svix_id and records its outcome (processed, stale, ignored, failed with SQLSTATE and message). Permanent errors are caught; transient ones (classes 40, 53, 57, 08 and 55P03) propagate so the delivery is retried. Returns the result object of handle_clerk_event.';
