// What every benchmark is told by `npm run bench` (bench/run.ts parses them from the command line).
export interface BenchOptions {
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  connections: number;
  /** Rows of the scale benchmark: users (organizations and memberships follow from it). */
  scaleUsers: number;
  /** Ledger rows of the scale benchmark's large-ledger figure (0 skips it). */
  ledgerRows: number;
}
