-- The sync functions behind POST /api/webhooks/clerk (issue 4).
drop type if exists app_private.clerk_event cascade;
create type app_private.clerk_event as (
  svix_id text,
  event_type text,
  data jsonb,
  occurred_at timestamptz,
  client_ip text,
  user_agent text
);
comment on type app_private.clerk_event is E'One Clerk event as the sync functions see it, built from its ledger row.';
comment on column app_private.clerk_event.svix_id is E'Ledger key of the delivery (svix-id or payload hash).';
comment on column app_private.clerk_event.event_type is E'Clerk event type, e.g. user.updated.';
comment on column app_private.clerk_event.data is E'The event''s data object.';
comment on column app_private.clerk_event.occurred_at is E'Envelope timestamp, or the time the delivery was first received when the envelope has none.';
comment on column app_private.clerk_event.client_ip is E'event_attributes.http_request.client_ip, when sent.';
comment on column app_private.clerk_event.user_agent is E'event_attributes.http_request.user_agent, when sent.';

--!include functions/clerk_time.sql
--!include functions/jsonb_object_or_empty.sql
--!include functions/jsonb_boolean.sql
--!include functions/jsonb_integer.sql
--!include functions/jsonb_text_array.sql
--!include functions/clerk_event_version.sql
--!include functions/clerk_deletion_time.sql
--!include functions/clerk_event_organization_id.sql
--!include functions/webhook_event_result.sql
--!include functions/write_audit_log.sql
--!include functions/redact_audit_history.sql
--!include functions/apply_clerk_change.sql
--!include functions/ensure_clerk_parent.sql
--!include functions/cascade_clerk_delete.sql
--!include functions/sync_user.sql
--!include functions/sync_organization.sql
--!include functions/sync_membership.sql
--!include functions/sync_clerk_event.sql
--!include functions/process_webhook_event.sql
--!include functions/handle_clerk_event.sql
--!include functions/replay_webhook_event.sql
