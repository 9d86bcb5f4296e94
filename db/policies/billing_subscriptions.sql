-- Row-level security of app_public.billing_subscriptions (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.billing_subscriptions');

grant select on app_public.billing_subscriptions to authenticated;

-- Tenants: read-only. Plan and standing are what an application gates features on, so every
-- member of the paying organization may read them (no payment details are stored); a paying user
-- reads their own. Billing rows are not deleted with their organization: current_live_org_id is
-- null once the organization is deleted or the visitor's membership ended (once per statement).
drop policy if exists select_current_org on app_public.billing_subscriptions;
create policy select_current_org on app_public.billing_subscriptions for select to authenticated
  using (
    organization_id = (select app_public.current_live_org_id())
  );
comment on policy select_current_org on app_public.billing_subscriptions is E'Members see the billing subscriptions of their active organization, while it exists and they belong to it.';

drop policy if exists select_own on app_public.billing_subscriptions;
create policy select_own on app_public.billing_subscriptions for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.billing_subscriptions is E'A user sees the billing subscriptions they pay for themselves.';
