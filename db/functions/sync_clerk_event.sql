create or replace function app_private.sync_clerk_event(event app_private.clerk_event) returns text
language plpgsql volatile as $$
begin
  return case split_part(event.event_type, '.', 1)
    when 'user' then app_private.sync_user(event)
    when 'organization' then app_private.sync_organization(event)
    when 'organizationMembership' then app_private.sync_organization_membership(event)
    when 'organizationInvitation' then app_private.sync_organization_invitation(event)
    when 'organizationDomain' then app_private.sync_organization_domain(event)
    when 'role' then app_private.sync_role(event)
    when 'permission' then app_private.sync_permission(event)
    when 'session' then app_private.sync_session(event)
    when 'email' then app_private.sync_clerk_message(event)
    when 'sms' then app_private.sync_clerk_message(event)
    when 'subscription' then app_private.sync_subscription(event)
    when 'subscriptionItem' then app_private.sync_subscription_item(event)
    -- Deliberately ledger-only (README, "What each event type changes"): waitlistEntry.* and
    -- invitation.* concern the application's sign-up funnel, not a tenant; paymentAttempt.* holds
    -- payment details whose tenant-visible effect is the subscription's status.
    else app_private.clerk_sync_outcome(null)
  end;
end;
$$;
comment on function app_private.sync_clerk_event(app_private.clerk_event) is E'Dispatches an event to the sync function of its family (the part of the type before the dot); types of no modelled family (waitlistEntry, invitation, paymentAttempt, anything unknown) are ignored. Each family returns app_private.clerk_sync_outcome of the rows it changed: processed, stale or ignored.';
