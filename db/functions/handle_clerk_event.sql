create or replace function app_private.handle_clerk_event(payload jsonb, svix_id text default null, source text default 'webhook') returns jsonb
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
  -- Without a svix-id the key hashes the payload as received, not as stored: the same raw delivery
  -- sent again is still recognised as a duplicate, and keys match rows stored before redaction
  -- moved here.
  v_key text := coalesce(nullif(handle_clerk_event.svix_id, ''), 'sha256:' || encode(sha256(convert_to(handle_clerk_event.payload::text, 'UTF8')), 'hex'));
  -- Redacted before the insert, so it holds whatever the outcome: a failed sync rolls back its
  -- own writes but keeps this row.
  v_payload jsonb := app_private.webhook_payload_to_store(handle_clerk_event.payload);
  v_ledger app_private.webhook_events;
begin
  if handle_clerk_event.payload is null then
    raise exception 'handle_clerk_event needs a payload' using errcode = '22004';
  end if;
  -- The ledger row first: a concurrent delivery of the same svix-id waits here on the unique
  -- index until this transaction ends, then sees the row and answers duplicate.
  insert into app_private.webhook_events as w (svix_id, event_type, object_id, organization_id, payload, source, outcome, error_message, occurred_at)
  values (
    v_key,
    v_payload ->> 'type',
    v_payload #>> '{data,id}',
    app_private.clerk_event_organization_id(v_payload),
    v_payload,
    coalesce(nullif(handle_clerk_event.source, ''), 'webhook'),
    'failed',
    'processing did not finish',
    app_private.clerk_time(handle_clerk_event.payload -> 'timestamp'))
  on conflict on constraint webhook_events_pkey do nothing;

  if not found then
    update app_private.webhook_events as w
       set duplicates = w.duplicates + 1, last_received_at = now()
     where w.svix_id = v_key
    returning * into v_ledger;
    return app_private.webhook_event_result(v_ledger, 'duplicate');
  end if;
  return app_private.process_webhook_event(v_key);
end;
$$;
revoke all on function app_private.handle_clerk_event(jsonb, text, text) from public;
grant execute on function app_private.handle_clerk_event(jsonb, text, text) to clerk_webhook;
comment on function app_private.handle_clerk_event(jsonb, text, text) is E'The single entry point for Clerk events (webhook route, backfill, a DBA by hand). Records the delivery in app_private.webhook_events keyed by svix_id (sha256:<hex> of the payload as received when null), stores the payload as app_private.webhook_payload_to_store returns it (one-time codes redacted), applies it once, all in the caller''s transaction. Returns {"status": "processed"|"duplicate"|"stale"|"ignored"|"failed", "svix_id", "event_type", "object_id", "organization_id" (when known), "error": {"code": SQLSTATE, "message"} (failed only), "original_status" (duplicate only: the outcome recorded for the first delivery)}. Permanent processing errors are caught and returned as failed with the ledger row kept; transient errors (SQLSTATE classes 40, 53, 57, 08, 55P03) are raised so the caller can answer 503. source names the caller in the ledger (webhook, backfill, …).';
