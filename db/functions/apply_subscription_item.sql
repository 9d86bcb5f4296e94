-- Shared by subscriptionItem.* events and the items embedded in subscription.* events. Embedded
-- items carry no payer or subscription_id: the subscription's stand in (p_subscription).
create or replace function app_private.apply_subscription_item(event app_private.clerk_event, p_subscription jsonb default '{}') returns boolean
language sql volatile as $$
  select app_private.apply_clerk_change(
    event, 'billing_subscription_items', item ->> 'id',
    p_fields => jsonb_build_object(
      'subscription_id', coalesce(nullif(item ->> 'subscription_id', ''), nullif(p_subscription ->> 'id', '')),
      'payer_id', nullif(payer ->> 'id', ''),
      'organization_id', nullif(payer ->> 'organization_id', ''),
      'user_id', nullif(payer ->> 'user_id', ''),
      'status', item ->> 'status',
      'plan_id', coalesce(item ->> 'plan_id', item #>> '{plan,id}'),
      'plan_slug', item #>> '{plan,slug}',
      'plan_name', item #>> '{plan,name}',
      'plan_period', coalesce(item ->> 'plan_period', case when jsonb_typeof(item -> 'interval') = 'string' then item ->> 'interval' end),
      'is_free_trial', app_private.jsonb_boolean(item -> 'is_free_trial'),
      'amount', app_private.jsonb_integer(item #> '{amount,amount}'),
      'currency', item #>> '{amount,currency}',
      'seats', app_private.jsonb_integer(item #> '{seats,quantity}'),
      'period_start', app_private.clerk_time(item -> 'period_start'),
      'period_end', app_private.clerk_time(item -> 'period_end'),
      'canceled_at', app_private.clerk_time(item -> 'canceled_at'),
      'past_due_at', app_private.clerk_time(item -> 'past_due_at'),
      'clerk_created_at', app_private.clerk_time(item -> 'created_at')),
    p_version => app_private.clerk_event_version(event))
  from (select event.data as item,
               case when jsonb_typeof(event.data -> 'payer') = 'object' then event.data -> 'payer'
                    else app_private.jsonb_object_or_empty(p_subscription -> 'payer') || jsonb_strip_nulls(jsonb_build_object('id', p_subscription ->> 'payer_id'))
               end as payer) as parts
$$;
comment on function app_private.apply_subscription_item(app_private.clerk_event, jsonb) is E'Applies the full subscription item in event.data to app_public.billing_subscription_items (staleness guard and audit through apply_clerk_change); p_subscription supplies the subscription id and payer that items embedded in a subscription leave out. The payer is an organization or a user ("" for the other). Returns false when it was stale.';
