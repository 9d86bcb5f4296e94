-- One-time codes are redacted before the ledger insert, so a failed email/SMS delivery keeps none.
--!include functions/webhook_payload_to_store.sql
--!include functions/handle_clerk_event.sql
--!include functions/sync_clerk_message.sql

-- Failed deliveries stored before this change still hold their codes: redact them now.
update app_private.webhook_events as w
   set payload = app_private.webhook_payload_to_store(w.payload)
 where w.event_type in ('email.created', 'sms.created')
   and w.payload is distinct from app_private.webhook_payload_to_store(w.payload);
comment on column app_private.webhook_events.svix_id is E'The svix-id header (the same on every retry and replay), or sha256:<hex of the payload as received, before redaction> when the caller had none.';
comment on column app_private.webhook_events.payload is E'The delivered body as received (a JSON string when the body was not JSON), except what must never be stored: app_private.webhook_payload_to_store redacts the one-time codes of email.created/sms.created before the insert.';
