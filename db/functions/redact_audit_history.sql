create or replace function app_private.redact_audit_history(p_kind text, p_id text, p_fields text[]) returns void
language sql volatile as $$
  update app_public.audit_logs as a
     set changes = (
       select jsonb_object_agg(c.key, case
                when c.key = any(p_fields) then jsonb_build_object(
                  'before', case when c.value -> 'before' = 'null' then 'null'::jsonb else '"[redacted]"'::jsonb end,
                  'after', case when c.value -> 'after' = 'null' then 'null'::jsonb else '"[redacted]"'::jsonb end)
                else c.value end)
         from jsonb_each(a.changes) as c
     )
   where a.entity_kind = p_kind and a.entity_id = p_id and a.changes ?| p_fields
$$;
comment on function app_private.redact_audit_history(text, text, text[]) is E'Replaces the before/after values of p_fields in every earlier audit row of one synced row with "[redacted]": a user deletion scrubs personal data from the history too, not only from the row.';
