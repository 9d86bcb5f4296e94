create or replace function app_private.webhook_event_result(ledger app_private.webhook_events, status text) returns jsonb
language sql immutable as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'status', status,
    'svix_id', ledger.svix_id,
    'event_type', ledger.event_type,
    'object_id', ledger.object_id,
    'organization_id', ledger.organization_id,
    'error', case when status = 'failed' then jsonb_build_object('code', ledger.error_code, 'message', ledger.error_message) end,
    -- Why a delivery was ignored, when it was for a reason of its own (foreign_instance).
    'reason', case when status = 'ignored' then ledger.error_message end,
    'original_status', case when status = 'duplicate' then ledger.outcome end))
$$;
comment on function app_private.webhook_event_result(app_private.webhook_events, text) is E'The result object of handle_clerk_event and replay_webhook_event for a ledger row: status, svix_id, event_type, object_id, organization_id (when known), error {code, message} when failed, reason when ignored for a reason of its own (foreign_instance), original_status (the recorded outcome) when duplicate.';
