-- Row-level security of app_public.billing_subscriptions. Synced by the SECURITY DEFINER sync functions,
-- owned by the migration owner; tenant policies are added per command below.
alter table app_public.billing_subscriptions enable row level security;
alter table app_public.billing_subscriptions force row level security;

drop policy if exists sync_owner_all on app_public.billing_subscriptions;
create policy sync_owner_all on app_public.billing_subscriptions for all to current_user using (true) with check (true);
comment on policy sync_owner_all on app_public.billing_subscriptions is E'The owner (the role the SECURITY DEFINER sync functions run as) writes every row; forced RLS would otherwise block it too.';

revoke all on app_public.billing_subscriptions from authenticated, anonymous;
grant select on app_public.billing_subscriptions to authenticated;

-- Tenants: read-only. Plan and standing are what an application gates features on, so every
-- member of the paying organization may read them (no payment details are stored); a paying user
-- reads their own. Billing rows are not deleted with their organization, so the policy checks
-- that the organization is live (once per statement).
drop policy if exists select_current_org on app_public.billing_subscriptions;
create policy select_current_org on app_public.billing_subscriptions for select to authenticated
  using (
    organization_id = (select app_public.current_org_id())
    and (select exists (select from app_public.organizations o where o.id = app_public.current_org_id() and o.deleted_at is null))
  );
comment on policy select_current_org on app_public.billing_subscriptions is E'Members see the billing subscriptions of their active organization, while it exists.';

drop policy if exists select_own on app_public.billing_subscriptions;
create policy select_own on app_public.billing_subscriptions for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.billing_subscriptions is E'A user sees the billing subscriptions they pay for themselves.';
