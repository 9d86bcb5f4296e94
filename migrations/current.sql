-- Erasure of a deleted user's personal data from the ledger, and the check that finds any left.
--!include functions/jsonb_keep_keys.sql
--!include functions/clerk_event_user_id.sql
--!include functions/clerk_event_address.sql
--!include functions/clerk_event_people.sql
--!include functions/erase_person_from_payload.sql
--!include functions/lock_clerk_user.sql
--!include functions/lock_mentioned_users.sql
--!include functions/erase_people_from_payload.sql
--!include functions/erase_user_personal_data.sql
--!include functions/webhook_payload_to_store.sql
--!include functions/sync_user.sql
--!include functions/jsonb_strings.sql
--!include functions/pii_scan.sql
--!include functions/user_personal_values.sql

-- How an erasure finds the payloads of a user without reading the whole ledger: by the user a
-- payload is about (every row), by the inviter and by the address (only the types that carry them).
drop index if exists app_private.webhook_events_user_id_idx;
create index webhook_events_user_id_idx on app_private.webhook_events (app_private.clerk_event_user_id(payload));
drop index if exists app_private.webhook_events_inviter_id_idx;
create index webhook_events_inviter_id_idx on app_private.webhook_events ((payload #>> '{data,inviter_id}')) where event_type like 'organizationInvitation.%';
drop index if exists app_private.webhook_events_address_idx;
create index webhook_events_address_idx on app_private.webhook_events (app_private.clerk_event_address(payload))
  where event_type in ('organizationInvitation.created', 'organizationInvitation.accepted', 'organizationInvitation.revoked',
                       'invitation.created', 'invitation.accepted', 'invitation.revoked', 'waitlistEntry.created',
                       'waitlistEntry.updated', 'email.created', 'sms.created');

-- What an erasure looks up besides the ledger, so a reconciliation deleting many users never
-- reads whole tables once per user.
drop index if exists app_public.organization_invitations_user_id_idx;
create index organization_invitations_user_id_idx on app_public.organization_invitations (user_id) where user_id is not null;
drop index if exists app_public.organization_invitations_email_address_idx;
create index organization_invitations_email_address_idx on app_public.organization_invitations (lower(email_address));
drop index if exists app_private.clerk_messages_to_address_idx;
create index clerk_messages_to_address_idx on app_private.clerk_messages (lower(to_address)) where user_id is null;

-- Users deleted before erasure existed: erase what the ledger still holds of them.
select app_private.erase_user_personal_data(u.id) from app_public.users as u where u.deleted_at is not null;
