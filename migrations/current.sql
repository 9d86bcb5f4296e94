-- The write path: the ledger row written once with its outcome (exactly-once by an advisory lock on
-- the key), static SQL for users, organizations and memberships, and each family reporting the
-- rows it changed, mapped to an outcome in one place.
drop function if exists app_private.sync_membership(app_private.clerk_event);
drop function if exists app_private.cascade_clerk_delete(app_private.clerk_event, text, text, text, timestamptz);
drop function if exists app_private.apply_clerk_change(app_private.clerk_event, text, text, jsonb, timestamptz, timestamptz, jsonb, jsonb);

--!include functions/clerk_sync_outcome.sql
--!include functions/clerk_version_applies.sql
--!include functions/clerk_deleted_at.sql
--!include functions/apply_private_metadata.sql
--!include functions/write_audit_log.sql
--!include functions/finish_clerk_change.sql
--!include functions/apply_clerk_change.sql
--!include functions/apply_user_change.sql
--!include functions/apply_organization_change.sql
--!include functions/apply_organization_membership_change.sql
--!include functions/ensure_clerk_parent.sql
--!include functions/cascade_clerk_delete.sql
--!include functions/sync_user.sql
--!include functions/sync_organization.sql
--!include functions/sync_organization_membership.sql
--!include functions/sync_organization_invitation.sql
--!include functions/sync_organization_domain.sql
--!include functions/sync_role.sql
--!include functions/sync_permission.sql
--!include functions/sync_session.sql
--!include functions/sync_clerk_message.sql
--!include functions/sync_subscription.sql
--!include functions/sync_subscription_item.sql
--!include functions/sync_clerk_event.sql
--!include functions/clerk_event_of.sql
--!include functions/process_clerk_event.sql
--!include functions/claim_webhook_key.sql
--!include functions/record_webhook_event.sql
--!include functions/process_webhook_event.sql
--!include functions/handle_clerk_event.sql
