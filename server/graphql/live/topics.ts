// What each subscription field listens to: a scope (the organization's channel or the user's) and
// the tables whose changes it reports, each with the GraphQL names it is reported under. A table
// becomes live by a line here (the GraphQL side) and one in db/triggers/live_changes.sql (the
// database side).
import type { ChannelScope } from './channels.ts';

export interface LiveTable {
  /** The app_public table, as the notification names it. */
  table: string;
  /** The value of the field's `kind` enum. */
  kind: string;
  /** The field of the change type that exposes the row. */
  field: string;
  /** The GraphQL type of that row. */
  type: string;
}

export interface LiveTopic {
  scope: ChannelScope;
  tables: ReadonlySet<string>;
}

export const ORGANIZATION_TABLES: LiveTable[] = [
  { table: 'organizations', kind: 'ORGANIZATION', field: 'organization', type: 'Organization' },
  { table: 'organization_memberships', kind: 'MEMBERSHIP', field: 'membership', type: 'OrganizationMembership' },
  { table: 'organization_invitations', kind: 'INVITATION', field: 'invitation', type: 'OrganizationInvitation' },
  { table: 'organization_domains', kind: 'DOMAIN', field: 'domain', type: 'OrganizationDomain' },
  { table: 'billing_subscriptions', kind: 'BILLING_SUBSCRIPTION', field: 'billingSubscription', type: 'BillingSubscription' },
  { table: 'billing_subscription_items', kind: 'BILLING_SUBSCRIPTION_ITEM', field: 'billingSubscriptionItem', type: 'BillingSubscriptionItem' },
  // The reference tenant's own tables.
  { table: 'loads', kind: 'LOAD', field: 'load', type: 'Load' },
  { table: 'drivers', kind: 'DRIVER', field: 'driver', type: 'Driver' },
  { table: 'vehicles', kind: 'VEHICLE', field: 'vehicle', type: 'Vehicle' },
  { table: 'compliance_documents', kind: 'COMPLIANCE_DOCUMENT', field: 'complianceDocument', type: 'ComplianceDocument' },
  { table: 'ifta_reports', kind: 'IFTA_REPORT', field: 'iftaReport', type: 'IftaReport' },
];

export const USER_TABLES: LiveTable[] = [
  { table: 'users', kind: 'USER', field: 'user', type: 'User' },
  { table: 'sessions', kind: 'SESSION', field: 'session', type: 'Session' },
  { table: 'billing_subscriptions', kind: 'BILLING_SUBSCRIPTION', field: 'billingSubscription', type: 'BillingSubscription' },
  { table: 'billing_subscription_items', kind: 'BILLING_SUBSCRIPTION_ITEM', field: 'billingSubscriptionItem', type: 'BillingSubscriptionItem' },
];

export const AUDIT_TABLES: LiveTable[] = [{ table: 'audit_logs', kind: 'AUDIT_LOG', field: 'auditLog', type: 'AuditLog' }];
