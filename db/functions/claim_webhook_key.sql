-- Exactly-once without relying on a unique index: a transaction-level advisory lock on the key
-- makes a second delivery of the same svix-id (from any receiver on the same database) wait here
-- until the first one's transaction ends; each statement of a read-committed transaction sees
-- what committed before it, so the look-up then finds the first delivery's ledger row.
create or replace function app_private.claim_webhook_key(p_key text) returns app_private.webhook_events
language plpgsql volatile as $$
declare
  v_earlier app_private.webhook_events;
begin
  perform pg_advisory_xact_lock(hashtextextended(p_key, 0));
  update app_private.webhook_events as w
     set duplicates = w.duplicates + 1, last_received_at = now()
   where w.svix_id = p_key
  returning * into v_earlier;
  return v_earlier;
end;
$$;
comment on function app_private.claim_webhook_key(text) is E'Takes the ledger key of a delivery for the rest of the transaction (an advisory lock: a concurrent delivery of the same key waits until this transaction ends), then looks for an earlier delivery of it. Returns that ledger row, counted one more duplicate, or a row of nulls when this is the first delivery.';
