// `clerk backfill`: pages Clerk's Backend API and replays every object through
// app_private.handle_clerk_event as a synthesized webhook, so the same ordering guards decide
// (a newer webhook is never overwritten), and a rerun is a duplicate of the first run.
//
// Work is committed in batches: each transaction holds the events of one batch, the ids a
// reconciling run has seen and the checkpoint, so a run killed at any moment resumes from exactly
// the first object not yet stored.
import type pg from 'pg';
import type { BackendApi, RetryPolicy } from '../../server/clerk/backendApi.ts';
import {
  FAMILIES,
  OBJECT_KIND,
  RECONCILED_FAMILIES,
  eventTypeFor,
  listFamily,
  type ClerkJson,
  type Cursor,
  type FamilyName,
  type ListContext,
  type Page,
  type ReconciledFamily,
} from './families.ts';
import { reconcile } from './reconcile.ts';
import {
  applyMaybeDry,
  existingIds,
  inTransaction,
  finishRun,
  findResumableRun,
  markSeen,
  recordedOutcomes,
  reopenRun,
  saveCheckpoint,
  startRun,
  syncedTableExists,
  SYNCED_TABLE,
  type FamilyCounts,
  type Outcome,
  type RunCounts,
  type RunOptions,
  type RunRow,
} from './store.ts';
import { failureMessage, synthesizedEnvelope, type HandleClerkEventResult, type SynthesizedEvent } from '../../server/database/clerkEvents.ts';

export interface BackfillRequest extends RunOptions {
  resume: boolean;
}

export interface BackfillDeps {
  api: BackendApi;
  db: pg.Pool;
  retry?: RetryPolicy;
  /** Objects per Backend API page (Clerk's maximum, 500, unless a test asks for less). */
  pageSize?: number;
  /** Objects per database transaction. */
  batchSize?: number;
  /** Awaited: a slow consumer slows the run rather than falling behind it. */
  onProgress?: (progress: Progress) => void | Promise<void>;
  onNotice?: (line: string) => void;
}

export interface Progress {
  phase: 'sync' | 'reconcile';
  family: FamilyName;
  done: number;
  total?: number;
  counts: FamilyCounts;
}

export interface BackfillSummary {
  runId: number;
  resumed: boolean;
  options: RunOptions;
  counts: RunCounts;
  totals: Required<Record<Outcome, number>>;
  failures: { id: string; family: string; error: string }[];
  /** Families whose synced table does not exist in this database yet: nothing was fed for them. */
  skipped: FamilyName[];
  durationMs: number;
}

const DEFAULT_BATCH_SIZE = 250;

/** The ledger key of a replayed object: its id and version, so replaying the same state is a duplicate. */
export function backfillSvixId(object: ClerkJson): string {
  return `backfill:${object.id}:${String(object.updated_at ?? object.created_at ?? 'unversioned')}`;
}

export function synthesizeEvent(family: FamilyName, object: ClerkJson): SynthesizedEvent {
  const version = typeof object.updated_at === 'number' ? object.updated_at : Date.now();
  return { svixId: backfillSvixId(object), payload: synthesizedEnvelope(eventTypeFor(family, object), object, version) };
}

export function outcomeOf(result: HandleClerkEventResult, existed: boolean): Outcome {
  switch (result.status) {
    case 'processed':
      return existed ? 'updated' : 'created';
    case 'duplicate':
      return 'unchanged';
    case 'stale':
      return 'stale';
    case 'ignored':
      return 'ignored';
    default:
      return 'failed';
  }
}

function addCount(counts: RunCounts, family: string, outcome: Outcome, by = 1): void {
  const familyCounts = (counts[family] ??= {});
  familyCounts[outcome] = (familyCounts[outcome] ?? 0) + by;
}

function familyDone(counts: FamilyCounts | undefined): number {
  return Object.entries(counts ?? {}).reduce((sum, [outcome, n]) => (outcome === 'deleted' ? sum : sum + (n ?? 0)), 0);
}

/** Starts the next page's request while the current one is being stored. */
async function* prefetched(pages: AsyncGenerator<Page>): AsyncGenerator<Page> {
  let next = pages.next();
  for (;;) {
    const current = await next;
    if (current.done) return;
    next = pages.next();
    // A failure of the prefetch surfaces when it is awaited, not as an unhandled rejection.
    next.catch(() => undefined);
    yield current.value;
  }
}

function initialCursor(family: FamilyName, since: string | undefined): Cursor {
  // With a cutoff, memberships come from the instance-wide listing (families.ts), paged by offset.
  if (family === 'memberships' && since) return { offset: 0 };
  return family === 'memberships' || family === 'invitations' ? { organizationOffset: 0, offset: 0 } : { offset: 0 };
}

/** What one run carries from batch to batch. */
interface RunState {
  run: RunRow;
  deps: BackfillDeps;
  context: ListContext;
  batchSize: number;
  counts: RunCounts;
  failures: BackfillSummary['failures'];
}

/**
 * One transaction: the batch's events (those whose ledger key is not recorded yet), the ids a
 * reconciling run has seen, and the checkpoint after them. Counts are updated once it commits.
 */
async function storeBatch(state: RunState, family: FamilyName, batch: ClerkJson[], nextCursor: Cursor): Promise<void> {
  const { run } = state;
  const { batchCounts, batchFailures } = await inTransaction(state.deps.db, async (client) => {
    const batchCounts: RunCounts = structuredClone(state.counts);
    const batchFailures: BackfillSummary['failures'] = [];
    const events = batch.map((object) => synthesizeEvent(family, object));
    const recorded = await recordedOutcomes(client, events.map((event) => event.svixId));
    for (const [i, event] of events.entries()) {
      const earlier = recorded.get(event.svixId);
      if (earlier === 'failed') {
        addCount(batchCounts, family, 'failed');
        batchFailures.push({ id: batch[i].id, family, error: `failed when first replayed (ledger ${event.svixId}); replay it from the ledger after a fix` });
      } else if (earlier) {
        addCount(batchCounts, family, 'unchanged');
      }
    }
    const fresh = batch.filter((_, i) => !recorded.has(events[i].svixId));
    const existed = await existingIds(client, family, fresh.map((object) => object.id));
    const results = await applyMaybeDry(client, events.filter((event) => !recorded.has(event.svixId)), run.options.dryRun, 'backfill');
    results.forEach((result, i) => {
      const outcome = outcomeOf(result, existed.has(fresh[i].id));
      addCount(batchCounts, family, outcome);
      if (outcome === 'failed') batchFailures.push({ id: fresh[i].id, family, error: failureMessage(result) });
    });
    if (run.options.reconcile) await markSeen(client, run.id, OBJECT_KIND[family], batch.map((object) => object.id));
    await saveCheckpoint(client, run.id, { family, cursor: nextCursor, counts: batchCounts });
    return { batchCounts, batchFailures };
  });
  Object.assign(state.counts, batchCounts);
  state.failures.push(...batchFailures);
}

/**
 * Pages one family from its checkpoint (or its start) to its end, batch by batch. A batch may span
 * pages: memberships and invitations come one organization's page at a time, often a few objects
 * each, and one transaction per page would pay a round trip, a plan and a commit for a handful of
 * events. A batch's checkpoint is the cursor after its last object, whichever page that was on.
 */
async function syncFamily(state: RunState, family: FamilyName): Promise<void> {
  const { run, deps } = state;
  const start = run.family === family && run.cursor ? run.cursor : initialCursor(family, run.options.since);
  let done = familyDone(state.counts[family]);
  let total: number | undefined;
  let pending: ClerkJson[] = [];
  let pendingCursor: Cursor | undefined;
  const flush = async () => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    await storeBatch(state, family, batch, pendingCursor!);
    done += batch.length;
    await deps.onProgress?.({ phase: 'sync', family, done, total, counts: state.counts[family] ?? {} });
  };
  for await (const page of prefetched(listFamily(family, state.context, start))) {
    total = page.total;
    if (!page.objects.length) {
      // Nothing waiting: the checkpoint moves past the empty page at once. Otherwise the next
      // batch's checkpoint lies beyond it anyway.
      if (pending.length) pendingCursor = page.cursorAfter(0);
      else await inTransaction(deps.db, (client) => saveCheckpoint(client, run.id, { family, cursor: page.cursorAfter(0), counts: state.counts }));
      continue;
    }
    for (let first = 0; first < page.objects.length; ) {
      const taken = page.objects.slice(first, first + state.batchSize - pending.length);
      pending.push(...taken);
      first += taken.length;
      pendingCursor = page.cursorAfter(first);
      if (pending.length >= state.batchSize) await flush();
    }
  }
  await flush();
  await inTransaction(deps.db, (client) => saveCheckpoint(client, run.id, { family: null, cursor: null, counts: state.counts, completedFamily: family }));
  run.completedFamilies.push(family);
  await deps.onProgress?.({ phase: 'sync', family, done, total: total ?? done, counts: state.counts[family] ?? {} });
}

/** Deletes what Clerk no longer has, counting deletions with the checkpoint (a resumed run keeps them). */
async function reconcileRun(state: RunState, families: ReconciledFamily[]): Promise<void> {
  const { run, deps } = state;
  const reconciled = await reconcile(families, {
    db: deps.db,
    context: state.context,
    runId: run.id,
    dryRun: run.options.dryRun,
    batchSize: state.batchSize,
    onBatch: async (client, family, deleted) => {
      const batchCounts: RunCounts = structuredClone(state.counts);
      if (deleted) addCount(batchCounts, family, 'deleted', deleted);
      await saveCheckpoint(client, run.id, { family: null, cursor: null, counts: batchCounts });
      return () => Object.assign(state.counts, batchCounts);
    },
  });
  for (const family of families) {
    const deleted = reconciled.deleted[family] ?? 0;
    await deps.onProgress?.({ phase: 'reconcile', family, done: deleted, total: deleted, counts: state.counts[family] ?? {} });
  }
  state.failures.push(...reconciled.failures);
}

/** The newest interrupted run when asked to resume (and there is one), otherwise a new run. */
async function openRun(request: BackfillRequest, deps: BackfillDeps): Promise<{ run: RunRow; resumed: boolean }> {
  const notice = deps.onNotice ?? (() => undefined);
  if (request.resume) {
    const run = await findResumableRun(deps.db);
    if (run) {
      await reopenRun(deps.db, run.id);
      const flags = `${run.options.reconcile ? ', reconcile' : ''}${run.options.dryRun ? ', dry run' : ''}${run.options.since ? `, since ${run.options.since}` : ''}`;
      notice(`resuming run ${run.id} (${run.options.families.join(', ')}${flags}) at ${run.family ?? 'the next family'}`);
      return { run, resumed: true };
    }
    notice('no interrupted run to resume: starting a new one');
  }
  const families = FAMILIES.filter((family) => request.families.includes(family));
  if (request.since && request.reconcile) {
    throw new Error('--since lists only what changed, and reconciling needs the full listing: run --reconcile on its own (e.g. weekly) beside a nightly --since');
  }
  const options = { families, reconcile: request.reconcile, dryRun: request.dryRun, ...(request.since && { since: request.since }) };
  return { run: await startRun(deps.db, options), resumed: false };
}

export async function runBackfill(request: BackfillRequest, deps: BackfillDeps): Promise<BackfillSummary> {
  const startedAt = Date.now();
  const { run, resumed } = await openRun(request, deps);
  const state: RunState = {
    run,
    deps,
    context: { api: deps.api, retry: deps.retry, pageSize: deps.pageSize, ...(run.options.since && { since: new Date(run.options.since) }) },
    batchSize: deps.batchSize ?? DEFAULT_BATCH_SIZE,
    counts: structuredClone(run.counts),
    failures: [],
  };
  const skipped: FamilyName[] = [];
  try {
    for (const family of run.options.families) {
      if (run.completedFamilies.includes(family)) continue;
      // Fed to a handle_clerk_event that does not model them, they would be recorded as ignored
      // under the same ledger keys, and a later run would take them for duplicates.
      if (!(await syncedTableExists(deps.db, family))) {
        skipped.push(family);
        deps.onNotice?.(`${family}: skipped, ${SYNCED_TABLE[family]} does not exist in this database yet`);
        continue;
      }
      await syncFamily(state, family);
    }
    if (run.options.reconcile) {
      await reconcileRun(state, RECONCILED_FAMILIES.filter((family) => run.options.families.includes(family) && !skipped.includes(family)));
    }
    await finishRun(deps.db, run.id, 'completed');
  } catch (error) {
    await finishRun(deps.db, run.id, 'failed', error instanceof Error ? error.message : String(error)).catch(() => undefined);
    throw error;
  }

  const totals = { created: 0, updated: 0, stale: 0, unchanged: 0, ignored: 0, failed: 0, deleted: 0 };
  for (const familyCounts of Object.values(state.counts)) {
    for (const [outcome, n] of Object.entries(familyCounts ?? {})) totals[outcome as Outcome] += n ?? 0;
  }
  return { runId: run.id, resumed, options: run.options, counts: state.counts, totals, failures: state.failures, skipped, durationMs: Date.now() - startedAt };
}
