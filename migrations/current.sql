-- When ledger maintenance last completed, whoever ran it: read by the prune metric and its alert.
create table if not exists app_private.ledger_maintenance (
  singleton boolean primary key default true check (singleton),
  last_success_at timestamptz not null,
  partitions_dropped bigint not null default 0
);
comment on table app_private.ledger_maintenance is
  'One row: the last completed run of app_private.prune_webhook_events (not a dry run, not skipped), '
  'by a replica''s schedule, `npm run webhooks -- prune` or pg_cron alike. Absent until the first run. '
  'Exported as clerk_webhook_prune_last_success_timestamp_seconds.';
comment on column app_private.ledger_maintenance.singleton is 'Always true: keeps the table to one row.';
comment on column app_private.ledger_maintenance.last_success_at is 'When the last completed run''s transaction started.';
comment on column app_private.ledger_maintenance.partitions_dropped is 'Expired partitions dropped by every run so far.';

--!include functions/prune_webhook_events.sql
