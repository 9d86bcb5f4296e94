-- One delivery, one transaction: claim the key (a duplicate stops here), sync, then write the
-- ledger row once with its outcome. The ledger's only writes on this path are in
-- claim_webhook_key and record_webhook_event.
create or replace function app_private.handle_clerk_event(payload jsonb, svix_id text default null, source text default 'webhook') returns jsonb
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_key text;
  v_earlier app_private.webhook_events;
  -- Redacted before anything reads it, so the ledger holds it whatever the outcome.
  v_payload jsonb;
  v_occurred_at timestamptz;
  v_outcome text;
  v_error_code text;
  v_error_message text;
begin
  if handle_clerk_event.payload is null then
    raise exception 'handle_clerk_event needs a payload' using errcode = '22004';
  end if;
  -- Without a svix-id the key hashes the payload as received, not as stored: the same raw delivery
  -- sent again is still recognised as a duplicate.
  v_key := coalesce(nullif(handle_clerk_event.svix_id, ''), 'sha256:' || encode(sha256(convert_to(handle_clerk_event.payload::text, 'UTF8')), 'hex'));
  v_earlier := app_private.claim_webhook_key(v_key);
  if v_earlier.svix_id is not null then
    return app_private.webhook_event_result(v_earlier, 'duplicate');
  end if;

  v_payload := app_private.webhook_payload_to_store(handle_clerk_event.payload);
  v_occurred_at := app_private.clerk_time(v_payload -> 'timestamp');
  select p.outcome, p.error_code, p.error_message into v_outcome, v_error_code, v_error_message
    from app_private.process_clerk_event(app_private.clerk_event_of(v_key, v_payload, coalesce(v_occurred_at, now())), v_payload) as p;
  -- After the sync, so a delivery rolled back for a transient error reports nothing; live
  -- deliveries only: backfilled objects are the Backend API's JSON, another shape.
  if coalesce(nullif(handle_clerk_event.source, ''), 'webhook') = 'webhook' then
    perform app_private.observe_payload_shape(v_payload ->> 'type', v_payload -> 'data');
  end if;
  return app_private.webhook_event_result(
    app_private.record_webhook_event(v_key, v_payload, coalesce(nullif(handle_clerk_event.source, ''), 'webhook'),
                                     v_outcome, v_error_code, v_error_message, v_occurred_at),
    v_outcome);
end;
$$;
revoke all on function app_private.handle_clerk_event(jsonb, text, text) from public;
grant execute on function app_private.handle_clerk_event(jsonb, text, text) to clerk_webhook;
comment on function app_private.handle_clerk_event(jsonb, text, text) is
  'The single entry point for Clerk events (webhook route, backfill, a DBA by hand). Applies the '
  'event once and records the delivery in app_private.webhook_events keyed by svix_id '
  '(sha256:<hex> of the payload as received when null), with the payload as '
  'app_private.webhook_payload_to_store returns it (one-time codes redacted), all in the caller''s '
  'transaction; a concurrent delivery of the same key waits for it and answers duplicate. Returns '
  '{"status": "processed"|"duplicate"|"stale"|"ignored"|"failed", "svix_id", "event_type", '
  '"object_id", "organization_id" (when known), "error": {"code": SQLSTATE, "message"} (failed '
  'only), "original_status" (duplicate only: the outcome recorded for the first delivery)}. '
  'Permanent processing errors are caught and returned as failed with the ledger row kept; '
  'transient errors (SQLSTATE classes 40, 53, 57, 08, 55P03) are raised so the caller can answer '
  '503. source names the caller in the ledger (webhook, backfill, …).';
