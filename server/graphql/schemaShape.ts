// How app_public reads as GraphQL. The tables' descriptions stay in their `comment on` (owned by
// the migrations that create them); the shape decisions live here, in one place:
// - Clerk's ids are the `id` of every type (no Relay global object ids: there are no mutations to
//   refetch with, and clients already hold Clerk ids);
// - the sync's bookkeeping columns read as createdAt/updatedAt, or are hidden;
// - relations Clerk's delivery order keeps out of the database (no foreign keys: a membership may
//   arrive before its user) are declared so memberships link to their user and organization, and
//   the other organization-scoped tables to their organization.
import type { PgAttribute } from 'postgraphile/graphile-build-pg/pg-introspection';
import { pgSmartTags, type PgSmartTagRule } from 'postgraphile/utils';

const inAppPublic = (attribute: PgAttribute) => attribute.getClass()?.getNamespace()?.nspname === 'app_public';

const column = (name: string, tags: PgSmartTagRule['tags']): PgSmartTagRule => ({
  kind: 'attribute',
  match: (attribute: PgAttribute) => attribute.attname === name && inAppPublic(attribute),
  tags,
});

/** Declared relations, in PostGraphile's fake-constraint syntax. */
const RELATIONS: Record<string, string[]> = {
  'app_public.organization_memberships': [
    '(organization_id) references app_public.organizations (id)',
    '(user_id) references app_public.users (id)',
  ],
  'app_public.audit_logs': ['(organization_id) references app_public.organizations (id)'],
  'app_public.organization_invitations': ['(organization_id) references app_public.organizations (id)'],
  'app_public.organization_domains': ['(organization_id) references app_public.organizations (id)'],
  'app_public.sessions': ['(user_id) references app_public.users (id)'],
  'app_public.billing_subscriptions': ['(organization_id) references app_public.organizations (id)'],
  'app_public.billing_subscription_items': [
    '(subscription_id) references app_public.billing_subscriptions (id)',
    '(organization_id) references app_public.organizations (id)',
  ],
};

const AppPublicSmartTagsPlugin = pgSmartTags(
  [
    column('clerk_created_at', { name: 'createdAt' }),
    column('clerk_updated_at', { name: 'updatedAt' }),
    // Written by the sync for its own bookkeeping; tenants never see a deleted row anyway.
    column('synced_at', { behavior: '-*' }),
    column('deleted_at', { behavior: '-*' }),
    ...Object.entries(RELATIONS).map(([table, foreignKeys]): PgSmartTagRule => ({ kind: 'class', match: table, tags: { foreignKey: foreignKeys } })),
  ],
  null,
  { name: 'AppPublicSmartTagsPlugin', description: 'How app_public reads as GraphQL (names, hidden bookkeeping, declared relations)' },
);

// PostGraphile renames a column called `id` to `rowId`, to leave `id` to Relay's global ids.
const ClerkIdsAreIdsPlugin: GraphileConfig.Plugin = {
  name: 'ClerkIdsAreIdsPlugin',
  description: 'Keeps the `id` column named id (Relay global object ids are disabled)',
  version: '1.0.0',
  inflection: {
    replace: {
      _attributeName(previous, _options, details) {
        return previous!({ ...details, skipRowId: true });
      },
    },
  },
};

export const AppPublicShapePreset: GraphileConfig.Preset = {
  plugins: [AppPublicSmartTagsPlugin, ClerkIdsAreIdsPlugin],
  // QueryQueryPlugin adds Query.query (the root again, for Relay 1): a query nested in itself is
  // the cheapest way to write a deep fragment bomb, and no client here needs it.
  disablePlugins: ['NodePlugin', 'QueryQueryPlugin'],
};
