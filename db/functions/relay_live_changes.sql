-- Sends the queued change notifications (app_private.live_changes) with NOTIFY, oldest first, and
-- removes them, in one transaction: its commit is the only one that waits on PostgreSQL's NOTIFY
-- queue lock, once per batch instead of once per delivery. Every server process calls it in a
-- loop; one at a time gets through (a transaction-level advisory lock, tried, never waited for),
-- so notifications leave in queue order. Changes of one row are queued in the order of their
-- commits (the second writer waits on the row lock), so they are sent in that order too.
-- Returns how many were sent, or null when another relay held the lock.
create or replace function app_private.relay_live_changes(max_changes integer default 1000) returns integer
  language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
  as $$
declare
  v_sent integer;
begin
  if not pg_try_advisory_xact_lock(hashtext('clerk-pg-sync: live relay'), 0) then
    return null;
  end if;
  with taken as (
    delete from app_private.live_changes as q
     where q.id in (select o.id from app_private.live_changes as o order by o.id limit greatest(1, relay_live_changes.max_changes))
    returning q.id, q.channel, q.payload
  )
  select count(*) into v_sent
    from (select pg_notify(t.channel, t.payload) from taken as t order by t.id) as sent;
  return v_sent;
end;
$$;

revoke all on function app_private.relay_live_changes(integer) from public;
grant execute on function app_private.relay_live_changes(integer) to clerk_webhook;
comment on function app_private.relay_live_changes(integer) is
  'Sends up to max_changes queued change notifications (app_private.live_changes) with NOTIFY, oldest '
  'first, and removes them. Returns the number sent, or null when another relay was running (a '
  'transaction-level advisory lock on (hashtext(''clerk-pg-sync: live relay''), 0), tried only). '
  'The server calls it in a loop (LIVE_RELAY_INTERVAL_MS).';
