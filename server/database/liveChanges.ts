// The change relay: every server process calls app_private.relay_live_changes in a loop, so the
// notifications the row triggers queue reach the LISTEN connections of every process. The function
// lets one caller at a time through; the others find nothing to do. A full batch means more may be
// waiting, so the next call follows at once; otherwise the loop waits `intervalMs`, which is what a
// live update may lag behind its commit.
import type pg from 'pg';
import type { Logger } from '../logger.ts';

export const RELAY_BATCH = 1000;

/** One relay call: the number of notifications sent, or null when another relay was running. */
export async function relayLiveChanges(db: pg.Pool | pg.ClientBase, maxChanges = RELAY_BATCH): Promise<number | null> {
  const { rows } = await db.query<{ sent: number | null }>({
    name: 'relay_live_changes',
    text: 'select app_private.relay_live_changes($1) as sent',
    values: [maxChanges],
  });
  return rows[0].sent;
}

export interface LiveRelay {
  /** Stops the loop and waits for the call in flight. */
  stop(): Promise<void>;
}

export function startLiveRelay({ pool, intervalMs, logger }: { pool: pg.Pool; intervalMs: number; logger: Logger }): LiveRelay {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let failing = false;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
      timer.unref();
    });
  const loop = (async () => {
    while (!stopped) {
      let sent: number | null = 0;
      try {
        sent = await relayLiveChanges(pool);
        if (failing) logger.info('live change relay works again');
        failing = false;
      } catch (error) {
        // The database away or the pool exhausted: live updates lag, nothing is lost (the queue
        // keeps the changes). Logged once per outage.
        if (!failing) logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'live change relay failed; retrying');
        failing = true;
      }
      if (!stopped && sent !== RELAY_BATCH) await pause(failing ? Math.max(intervalMs, 1000) : intervalMs);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
