import net from 'node:net';

// Below Linux's ephemeral range (32768-60999), so a port found free here is not handed out a
// moment later to some other process's `listen(0)` or outgoing connection.
const FIRST = 20_000;
const LAST = 32_000;

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** A TCP port that is free right now, outside the range the kernel assigns on its own. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FIRST + Math.floor(Math.random() * (LAST - FIRST));
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free TCP port found between ${FIRST} and ${LAST}`);
}
