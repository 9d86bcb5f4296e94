-- Private metadata never sits in a tenant-readable table: it is kept beside the row, follows the
-- row's newest applied version, and goes when the row is deleted.
create or replace function app_private.apply_private_metadata(
  p_kind text,
  p_id text,
  p_version_applied boolean,
  p_deleted boolean,
  p_private_metadata jsonb,
  out before jsonb,
  out after jsonb
) language plpgsql volatile as $$
begin
  select m.private_metadata into before
    from app_private.private_metadata as m where m.entity_kind = p_kind and m.entity_id = p_id;
  after := case
    when p_deleted then null
    when p_version_applied and p_private_metadata is not null then nullif(p_private_metadata, '{}')
    else before
  end;
  if after is null then
    if before is not null then
      delete from app_private.private_metadata as m where m.entity_kind = p_kind and m.entity_id = p_id;
    end if;
  elsif after is distinct from before then
    insert into app_private.private_metadata (entity_kind, entity_id, private_metadata) values (p_kind, p_id, after)
    on conflict (entity_kind, entity_id) do update set private_metadata = excluded.private_metadata;
  end if;
end;
$$;
comment on function app_private.apply_private_metadata(text, text, boolean, boolean, jsonb) is E'Brings app_private.private_metadata of one synced row up to date: the event''s private metadata when its version was applied (an empty object stores nothing), nothing once the row is deleted, else unchanged. Returns the metadata before and after, for the audit row.';
