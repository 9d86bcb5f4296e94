-- The organization's own rows follow the membership webhooks too: a removed member's still-valid
-- token stops seeing the organization, its memberships (and so its members) and its billing.
--!include functions/current_live_org_id.sql
--!include policies/organizations.sql
--!include policies/organization_memberships.sql
--!include policies/billing_subscriptions.sql
--!include policies/billing_subscription_items.sql

-- Fleet relations named for what they are (load.driver, driver.loads, …).
--!include fleet/tables.sql

-- SECURITY DEFINER helpers pin pg_temp last, like every other.
--!include functions/current_access.sql
--!include functions/current_driver_id.sql
--!include functions/audit_tenant_change.sql
