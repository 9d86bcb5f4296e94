-- What follows every applied change of a synced row, whichever function wrote the row.
create or replace function app_private.finish_clerk_change(
  event app_private.clerk_event,
  p_kind text,
  p_id text,
  p_before jsonb,
  p_after jsonb,
  p_version_applied boolean,
  p_private_metadata jsonb,
  p_scrubbed text[] default '{}'
) returns void
language plpgsql volatile as $$
declare
  v_deleted boolean := p_after ->> 'deleted_at' is not null;
  v_private record;
  v_redacted text[] := array['private_metadata'];
begin
  select m.before, m.after into v_private
    from app_private.apply_private_metadata(p_kind, p_id, p_version_applied, v_deleted, p_private_metadata) as m;
  if v_deleted and cardinality(p_scrubbed) > 0 then
    v_redacted := v_redacted || p_scrubbed;
    if p_before ->> 'deleted_at' is null then
      perform app_private.redact_audit_history(p_kind, p_id, v_redacted);
    end if;
  end if;
  perform app_private.write_audit_log(
    event, p_kind, p_id,
    p_before || jsonb_build_object('private_metadata', v_private.before),
    p_after || jsonb_build_object('private_metadata', v_private.after),
    v_redacted);
end;
$$;
comment on function app_private.finish_clerk_change(app_private.clerk_event, text, text, jsonb, jsonb, boolean, jsonb, text[]) is E'Completes one applied change of a row of app_public.<p_kind> (p_before: the row before as jsonb, null when new; p_after: as written): its private metadata (app_private.apply_private_metadata), the redaction of its audit history when a deletion scrubbed p_scrubbed fields, and its audit row of changed fields only (app_private.write_audit_log, private metadata and scrubbed fields shown as "[redacted]").';
