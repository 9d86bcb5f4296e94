create or replace function app_private.sync_subscription(event app_private.clerk_event) returns text
language plpgsql volatile as $$
declare
  v_data jsonb := event.data;
  v_item jsonb;
  v_changes integer;
begin
  if event.event_type in ('subscription.created', 'subscription.updated', 'subscription.active', 'subscription.pastDue') then
    v_changes := app_private.apply_clerk_change(
      event, 'billing_subscriptions', v_data ->> 'id',
      p_fields => jsonb_build_object(
        'payer_id', coalesce(nullif(v_data ->> 'payer_id', ''), nullif(v_data #>> '{payer,id}', '')),
        'organization_id', nullif(v_data #>> '{payer,organization_id}', ''),
        'user_id', nullif(v_data #>> '{payer,user_id}', ''),
        'status', v_data ->> 'status',
        'active_at', app_private.clerk_time(v_data -> 'active_at'),
        'past_due_at', app_private.clerk_time(v_data -> 'past_due_at'),
        'canceled_at', app_private.clerk_time(v_data -> 'canceled_at'),
        'ended_at', app_private.clerk_time(v_data -> 'ended_at'),
        'clerk_created_at', app_private.clerk_time(v_data -> 'created_at')),
      p_version => app_private.clerk_event_version(event))::integer;
    -- The embedded items are full items with their own updated_at, in id order (lock order).
    for v_item in
      select i from jsonb_array_elements(case when jsonb_typeof(v_data -> 'items') = 'array' then v_data -> 'items' else '[]' end) as i
       where jsonb_typeof(i) = 'object' and i ->> 'id' <> '' order by i ->> 'id'
    loop
      v_changes := v_changes + app_private.apply_subscription_item(row(event.svix_id, event.event_type, v_item, event.occurred_at, event.client_ip, event.user_agent)::app_private.clerk_event, v_data)::integer;
    end loop;
  end if;
  return app_private.clerk_sync_outcome(v_changes);
end;
$$;
comment on function app_private.sync_subscription(app_private.clerk_event) is E'subscription.created/updated/active/pastDue into app_public.billing_subscriptions, and the items it embeds into app_public.billing_subscription_items. Returns processed, stale or ignored (other subscription.* types).';
