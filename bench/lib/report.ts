// Plain-text tables for the terminal (and for pasting into BENCHMARKS.md as Markdown).
import os from 'node:os';


export type Cell = string | number | null | undefined;

function format(cell: Cell): string {
  if (cell === null || cell === undefined) return '–';
  if (typeof cell === 'string') return cell;
  if (!Number.isFinite(cell)) return '–';
  if (Number.isInteger(cell)) return String(cell);
  if (Math.abs(cell) >= 100) return cell.toFixed(0);
  if (Math.abs(cell) >= 10) return cell.toFixed(1);
  return cell.toFixed(2);
}

/** Prints a Markdown table with aligned columns. */
export function printTable(title: string, header: string[], rows: Cell[][]): void {
  const text = [header, ...rows.map((row) => row.map(format))];
  const widths = header.map((_, column) => Math.max(...text.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(text[0]));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of text.slice(1)) console.log(line(row));
}

export function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The ratio of two series measured in pairs (round i of each ran back to back): the median of the
 * per-round ratios, so a burst of load elsewhere on the machine hurts one pair, not the result.
 */
export function pairedRatio(numerators: number[], denominators: number[]): number {
  return median(numerators.map((value, index) => value / denominators[index]));
}

/** Load average of the machine (1, 5, 15 minutes) and its cores, for the record. */
export function machineLoad(): string {
  const [one, five, fifteen] = os.loadavg();
  return `load average ${one.toFixed(2)} / ${five.toFixed(2)} / ${fifteen.toFixed(2)} on ${os.cpus().length} cores`;
}

/** A row of the verdict table: a ratio, how it is judged, and whether it meets the target. */
export function verdict(name: string, value: number, comparison: '>=' | '<=', target: number, unit = '×'): Cell[] {
  const met = comparison === '>=' ? value >= target : value <= target;
  return [name, `${format(value)}${unit}`, `${comparison} ${target}${unit}`, Number.isFinite(value) ? (met ? 'met' : 'MISSED') : 'not measured'];
}

export const VERDICT_HEADER = ['figure', 'measured', 'target', 'verdict'];
