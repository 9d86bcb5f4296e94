-- The start of every db/policies file (layout and reasons: db/CONVENTIONS.md, "Policies").
create or replace function app_private.secure_table(target regclass) returns void
language plpgsql volatile set search_path = pg_catalog, pg_temp as $$
begin
  execute format('alter table %s enable row level security', secure_table.target);
  execute format('alter table %s force row level security', secure_table.target);
  execute format('drop policy if exists sync_owner_all on %s', secure_table.target);
  -- current_user is the role running the migration: the owner, which the SECURITY DEFINER
  -- functions also run as.
  execute format('create policy sync_owner_all on %s for all to current_user using (true) with check (true)', secure_table.target);
  execute format('comment on policy sync_owner_all on %s is %L', secure_table.target,
    'The owner (migrations, maintenance, and the SECURITY DEFINER functions, which run as it) reads and writes every row; forced RLS would otherwise block it too.');
  execute format('revoke all on %s from authenticated, anonymous', secure_table.target);
end;
$$;
revoke all on function app_private.secure_table(regclass) from public;
comment on function app_private.secure_table(regclass) is
  'Row-level security for a table, stated once for all of them: enabled and forced (so even the owner '
  'passes a policy), one sync_owner_all policy for the owner, and no privileges for authenticated or '
  'anonymous, which the policy file then grants. Each db/policies file calls it, as the owner, during migrations.';
