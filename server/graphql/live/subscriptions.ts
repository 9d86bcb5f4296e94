// The Subscription type. Each field listens to the connection's live session (see session.ts) for
// notices about some tables, and each event exposes the changed row loaded by id through the
// normal plan: the same query a client would make, under the subscriber's row-level security.
// A notice carries no row data, and one the subscriber may not see never becomes an event.
import { access, context, inhibitOnNull, lambda, listen, type Step } from 'postgraphile/grafast';
import { parse } from 'postgraphile/graphql';
import { extendSchema } from 'postgraphile/utils';
import type { ChangeNotice, ChannelScope } from './channels.ts';
import { AUDIT_TABLES, ORGANIZATION_TABLES, USER_TABLES, type LiveTable, type LiveTopic } from './topics.ts';

interface ChangeField {
  /** Subscription field name. */
  name: string;
  description: string;
  scope: ChannelScope;
  tables: LiveTable[];
  /** The event type, and its kind enum when the field reports more than one table. */
  typeName: string;
  kindEnum?: string;
}

const FIELDS: ChangeField[] = [
  {
    name: 'organizationChanged',
    description:
      'Changes to the active organization of the session token: the organization itself, its memberships, invitations (with org:sys_memberships:read), domains (with org:sys_domains:read), billing, and its loads, drivers, vehicles, compliance documents and IFTA reports (as their policies allow). `kinds` narrows them. The connection ends (close code 4403) when the sync learns the subscriber left the organization.',
    scope: 'org',
    tables: ORGANIZATION_TABLES,
    typeName: 'OrganizationChange',
    kindEnum: 'OrganizationChangeKind',
  },
  {
    name: 'currentUserChanged',
    description: "Changes to the subscriber's own user row, sessions and the billing they pay for. `kinds` narrows them.",
    scope: 'user',
    tables: USER_TABLES,
    typeName: 'CurrentUserChange',
    kindEnum: 'CurrentUserChangeKind',
  },
  {
    name: 'auditLogAdded',
    description: 'Audit log entries added in the active organization, for holders of org:admin:view_audit_logs or org:compliance:access_audit_logs.',
    scope: 'org',
    tables: AUDIT_TABLES,
    typeName: 'AuditLogAdded',
  },
];

function typeDefsOf(field: ChangeField): string {
  const kindArg = field.kindEnum ? `(kinds: [${field.kindEnum}!])` : '';
  const kindEnum = field.kindEnum
    ? `"""What kind of row an event of \`${field.name}\` is about."""\nenum ${field.kindEnum} {\n${field.tables.map((t) => `  ${t.kind}`).join('\n')}\n}\n`
    : '';
  const rowFields = field.tables
    .map((t) => `  """The ${t.type} row, as the subscriber may read it now: null ${field.kindEnum ? 'for other kinds, ' : ''}after a deletion, or when the row changed again and is no longer readable."""\n  ${t.field}: ${t.type}`)
    .join('\n');
  return `
${kindEnum}
"""One change: which row (kind and id), how (operation), and the row itself."""
type ${field.typeName} {
  operation: LiveOperation!
${field.kindEnum ? `  kind: ${field.kindEnum}!\n` : ''}  """The changed row's id."""
  id: String!
${rowFields}
}

extend type Subscription {
  """${field.description}"""
  ${field.name}${kindArg}: ${field.typeName}!
}
`;
}

export const LiveSubscriptionsPlugin = extendSchema((build) => {
  const resources = build.input.pgRegistry.pgResources as Record<string, any>;
  const objects: Record<string, { plans: Record<string, unknown> }> = {};
  const subscriptionPlans: Record<string, unknown> = {};

  for (const field of FIELDS) {
    const tableOfKind = new Map(field.tables.map((t) => [t.kind, t.table]));
    const kindOfTable = new Map(field.tables.map((t) => [t.table, t.kind]));
    const allTables = new Set(field.tables.map((t) => t.table));
    subscriptionPlans[field.name] = {
      subscribePlan(_$root: Step, fieldArgs: { getRaw(name: string): Step }) {
        const $kinds = field.kindEnum ? fieldArgs.getRaw('kinds') : lambda(null, () => null);
        const $topic = lambda(
          $kinds,
          (kinds: string[] | null): LiveTopic => ({
            scope: field.scope,
            tables: kinds ? new Set(kinds.map((kind) => tableOfKind.get(kind)!)) : allTables,
          }),
          true,
        );
        // The topic is an object the live session understands, not a channel name.
        return listen(context().get('live') as Step<any>, $topic as unknown as Step<string>);
      },
      plan: ($notice: Step) => $notice,
    };
    const plans: Record<string, (step: Step<ChangeNotice>) => Step> = {
      operation: ($notice) => lambda($notice, (notice: ChangeNotice) => notice.op.toUpperCase(), true),
      id: ($notice) => access($notice, 'id'),
    };
    if (field.kindEnum) plans.kind = ($notice) => lambda($notice, (notice: ChangeNotice) => kindOfTable.get(notice.kind), true);
    for (const t of field.tables) {
      const resource = resources[t.table];
      if (!resource) throw new Error(`live updates: no resource for app_public.${t.table}`);
      // Only a notice about this table, and not a deletion (nobody reads a deleted row), loads it.
      plans[t.field] = ($notice) =>
        resource.get({ id: inhibitOnNull(lambda($notice, (notice: ChangeNotice) => (notice.kind === t.table && notice.op !== 'delete' ? notice.id : null), true)) });
    }
    objects[field.typeName] = { plans };
  }
  objects.Subscription = { plans: subscriptionPlans };

  return {
    typeDefs: parse(`
      """How a row changed. A soft deletion (Clerk deleted the object) is a DELETE."""
      enum LiveOperation {
        INSERT
        UPDATE
        DELETE
      }
      ${FIELDS.map(typeDefsOf).join('\n')}
    `),
    objects: objects as any,
  };
}, 'LiveSubscriptionsPlugin');
