-- AFTER UPDATE/DELETE statement trigger of the tables visitors write. Postgres reports an update
-- or delete that matched no row as success (row-level security hides rows silently), and
-- PostGraphile would answer a null payload: a visitor's write that changed nothing is refused
-- instead, with no_data_found (P0002), which the API reports as NOT_FOUND. The owner writing
-- outside a request (no user in the claims) may match nothing.
create or replace function app_private.refuse_unmatched_write() returns trigger
  language plpgsql
  as $$
begin
  if app_public.current_user_id() is not null and not exists (select from changed_rows) then
    raise exception 'No such row in %: it does not exist in your organization, or your session may not % it.', tg_table_name, lower(tg_op)
      using errcode = 'no_data_found';
  end if;
  return null;
end
$$;

comment on function app_private.refuse_unmatched_write() is E'Statement trigger: a visitor''s update or delete that matched no row (missing, or hidden by row-level security) raises no_data_found instead of succeeding silently.';
