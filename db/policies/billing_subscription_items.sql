-- Row-level security of app_public.billing_subscription_items (how a policy file is laid out: db/CONVENTIONS.md).
select app_private.secure_table('app_public.billing_subscription_items');

grant select on app_public.billing_subscription_items to authenticated;

-- Tenants: read-only. Plan and standing are what an application gates features on, so every
-- member of the paying organization may read them (no payment details are stored); a paying user
-- reads their own. Billing rows are not deleted with their organization: current_live_org_id is
-- null once the organization is deleted or the visitor's membership ended (once per statement).
drop policy if exists select_current_org on app_public.billing_subscription_items;
create policy select_current_org on app_public.billing_subscription_items for select to authenticated
  using (
    organization_id = (select app_public.current_live_org_id())
  );
comment on policy select_current_org on app_public.billing_subscription_items is E'Members see the billing subscription items of their active organization, while it exists and they belong to it.';

drop policy if exists select_own on app_public.billing_subscription_items;
create policy select_own on app_public.billing_subscription_items for select to authenticated
  using (user_id = (select app_public.current_user_id()));
comment on policy select_own on app_public.billing_subscription_items is E'A user sees the billing subscription items they pay for themselves.';
