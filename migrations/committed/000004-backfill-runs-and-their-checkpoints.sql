--! Previous: sha1:1e88c1cfc20a2fe8ab24ebcf3f1e6b38895df2aa
--! Hash: sha1:b934a487441f4bde99ecff29da6ff81a2794ac04
--! Message: Backfill runs and their checkpoints

-- Backfill and reconciliation from Clerk's Backend API (issue 8): the checkpoint of each run, so
-- an interrupted backfill resumes where it stopped, and the ids a reconciling run has seen in
-- Clerk, so it can tell what the database holds that Clerk no longer has.
create table if not exists app_private.backfill_runs (
  id bigint generated always as identity primary key,
  status text not null default 'running' check (status in ('running', 'completed', 'failed', 'superseded')),
  options jsonb not null,
  completed_families text[] not null default '{}',
  family text,
  cursor jsonb,
  counts jsonb not null default '{}',
  error text,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
comment on table app_private.backfill_runs is E'One run of `clerk backfill`: its options, how far it got and what it changed. The checkpoint (family, cursor, counts) is written in the same transaction as the objects it covers, so a resumed run neither skips nor repeats work.';
comment on column app_private.backfill_runs.id is E'Run number, shown by the CLI and accepted nowhere else.';
comment on column app_private.backfill_runs.status is E'running (or interrupted: resumable with --resume), completed, failed (stopped on an error it could not retry; resumable), superseded (a new run was started instead of resuming it).';
comment on column app_private.backfill_runs.options is E'The options the run was started with ({families, reconcile, dryRun}); a resumed run keeps them.';
comment on column app_private.backfill_runs.completed_families is E'Families (users, organizations, memberships, …) fully paged by this run.';
comment on column app_private.backfill_runs.family is E'The family being paged when the checkpoint was written.';
comment on column app_private.backfill_runs.cursor is E'Where the next page of `family` starts: {offset} for flat lists, {organizationOffset, offset} for lists paged per organization (Clerk orders both by +created_at).';
comment on column app_private.backfill_runs.counts is E'Outcomes so far, per family: {"users": {"created": n, "updated": n, "stale": n, "unchanged": n, …}, …}.';
comment on column app_private.backfill_runs.error is E'Why the run stopped, when it failed.';
comment on column app_private.backfill_runs.started_at is E'When the run began.';
comment on column app_private.backfill_runs.updated_at is E'When the checkpoint was last written.';
comment on column app_private.backfill_runs.finished_at is E'When the run completed, failed or was superseded.';

create index if not exists backfill_runs_running_idx on app_private.backfill_runs (id) where status in ('running', 'failed');

create table if not exists app_private.backfill_seen (
  run_id bigint not null references app_private.backfill_runs (id) on delete cascade,
  kind text not null,
  id text not null,
  primary key (run_id, kind, id)
);
comment on table app_private.backfill_seen is E'Ids a reconciling run found in Clerk (kind user, organization or organization_membership); what the database holds beyond them is a deletion candidate. Kept only while the run is unfinished.';
comment on column app_private.backfill_seen.run_id is E'The run that saw the object.';
comment on column app_private.backfill_seen.kind is E'The object''s `object` field: user, organization or organization_membership.';
comment on column app_private.backfill_seen.id is E'Clerk id of the object.';
