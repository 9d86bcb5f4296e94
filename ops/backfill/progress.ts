// How `clerk backfill` shows its work: one progress bar per family on a terminal (counts, rate,
// outcomes), plain lines when stderr is not a terminal (CI, logs), and the closing summary table.
import cliProgress from 'cli-progress';
import type { BackfillSummary, Progress } from './backfill.ts';
import type { FamilyCounts, Outcome } from './store.ts';

const OUTCOMES: Outcome[] = ['created', 'updated', 'stale', 'unchanged', 'ignored', 'failed', 'deleted'];

function outcomeText(counts: FamilyCounts): string {
  return OUTCOMES.filter((outcome) => counts[outcome])
    .map((outcome) => `${outcome} ${counts[outcome]}`)
    .join(', ');
}

export interface ProgressView {
  update(progress: Progress): void;
  notice(line: string): void;
  stop(): void;
}

export function createProgressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  const started = new Map<string, { at: number; from: number }>();
  const rate = (progress: Progress) => {
    const key = `${progress.phase}:${progress.family}`;
    if (!started.has(key)) started.set(key, { at: Date.now(), from: progress.done });
    const { at, from } = started.get(key)!;
    const seconds = (Date.now() - at) / 1000;
    return seconds > 0 ? Math.round((progress.done - from) / seconds) : 0;
  };

  if (!stream.isTTY) {
    const lastLine = new Map<string, number>();
    return {
      update(progress) {
        const key = `${progress.phase}:${progress.family}`;
        const finished = progress.total !== undefined && progress.done >= progress.total;
        const now = Date.now();
        if (!finished && now - (lastLine.get(key) ?? 0) < 5000) return;
        lastLine.set(key, now);
        const of = progress.total === undefined ? '' : `/${progress.total}`;
        const verb = progress.phase === 'reconcile' ? 'reconciled' : 'synced';
        stream.write(`${progress.family}: ${verb} ${progress.done}${of} (${rate(progress)}/s) ${outcomeText(progress.counts)}\n`);
      },
      notice: (line) => void stream.write(`${line}\n`),
      stop: () => undefined,
    };
  }

  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: '{family} |{bar}| {value}/{total} | {rate}/s | {outcomes}',
      hideCursor: true,
      barsize: 20,
      clearOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const byFamily = new Map<string, cliProgress.SingleBar>();
  return {
    update(progress) {
      const key = `${progress.phase}:${progress.family}`;
      const label = progress.phase === 'reconcile' ? `deleted ${progress.family}` : progress.family;
      const payload = { family: label.padEnd(19), rate: rate(progress), outcomes: outcomeText(progress.counts) };
      const total = Math.max(progress.total ?? progress.done, progress.done, 1);
      let bar = byFamily.get(key);
      if (!bar) {
        bar = bars.create(total, progress.done, payload);
        byFamily.set(key, bar);
      }
      bar.setTotal(total);
      bar.update(progress.done, payload);
    },
    notice: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}

/** The closing table: one row per family, one column per outcome. */
export function formatSummary(summary: BackfillSummary): string {
  const header = ['family', ...OUTCOMES];
  const rows = Object.entries(summary.counts).map(([family, counts]) => [family, ...OUTCOMES.map((outcome) => String(counts?.[outcome] ?? 0))]);
  rows.push(['total', ...OUTCOMES.map((outcome) => String(summary.totals[outcome]))]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  const mode = [summary.options.reconcile ? 'reconcile' : null, summary.options.dryRun ? 'dry run: nothing was written' : null].filter(Boolean).join(', ');
  const lines = [
    `Backfill run ${summary.runId}${summary.resumed ? ' (resumed)' : ''} finished in ${(summary.durationMs / 1000).toFixed(1)} s${mode ? ` (${mode})` : ''}`,
    line(header),
    ...rows.map(line),
  ];
  if (summary.failures.length) {
    lines.push(`${summary.failures.length} object(s) failed (kept in the ledger with their error):`);
    for (const failure of summary.failures.slice(0, 20)) lines.push(`  ${failure.family} ${failure.id}: ${failure.error}`);
  }
  if (summary.skipped.length) {
    lines.push(`Skipped (not synced by this database yet, no table): ${summary.skipped.join(', ')}.`);
  }
  return lines.join('\n');
}
