-- Every family reports one number, the rows its event changed, and this maps it to the outcome.
create or replace function app_private.clerk_sync_outcome(p_changed_rows integer) returns text
language sql immutable parallel safe as $$
  select case when p_changed_rows is null then 'ignored' when p_changed_rows > 0 then 'processed' else 'stale' end
$$;
comment on function app_private.clerk_sync_outcome(integer) is E'The outcome of a family''s sync from the number of rows it changed: null (an event type the family does not model) is ignored, 0 is stale (nothing newer than what is held), more is processed.';
