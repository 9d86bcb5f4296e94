create or replace function app_private.sync_subscription_item(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_changes integer;
begin
  -- Every subscriptionItem.* event carries the full item; what happened is in its status.
  if event.event_type in ('subscriptionItem.created', 'subscriptionItem.updated', 'subscriptionItem.active', 'subscriptionItem.canceled',
                              'subscriptionItem.upcoming', 'subscriptionItem.ended', 'subscriptionItem.abandoned', 'subscriptionItem.incomplete',
                              'subscriptionItem.pastDue', 'subscriptionItem.freeTrialEnding') then
    v_changes := app_private.apply_subscription_item(event)::integer;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_subscription_item(app_private.clerk_event) is E'subscriptionItem.* (created, updated, active, canceled, upcoming, ended, abandoned, incomplete, pastDue, freeTrialEnding) into app_public.billing_subscription_items. freeTrialEnding is a reminder that repeats the item unchanged, so it is usually stale. Returns processed, stale or ignored (other subscriptionItem.* types).';
