// Serves the live example page from its own origin (not the API's), as a frontend would be served,
// with graphql-ws's browser build and a development token at /token standing in for Clerk's
// getToken(). Development only: the tokens are signed with the key of .data/dev-secrets.json, which
// the API accepts while neither CLERK_JWT_KEY nor CLERK_SECRET_KEY is set.
// `npm run example:live` runs it (main.ts).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { REFERENCE_ROLES } from '../../server/clerk/referenceRoles.ts';
import { loadDevSecrets } from '../../server/devSecrets.ts';
import { mintDevSessionToken } from '../../server/devSessionToken.ts';

const here = path.join(process.cwd(), 'examples', 'live');
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: path.join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: path.join(here, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/graphql-ws.min.js': { file: path.join(process.cwd(), 'node_modules', 'graphql-ws', 'umd', 'graphql-ws.min.js'), type: 'text/javascript; charset=utf-8' },
};

export interface ExampleOptions {
  port: number;
  host?: string;
  /** Where the development token key lives (DATA_DIR of the API). */
  dataDir: string;
  userId: string;
  orgId: string;
  role: string;
}

export function startExampleServer(options: ExampleOptions): Promise<Server> {
  const { secrets } = loadDevSecrets(options.dataDir);
  const permissions = REFERENCE_ROLES.find((role) => role.key === options.role)?.permissions ?? [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://example');
    if (url.pathname === '/token') {
      const origin = `http://${req.headers.host}`;
      const token = mintDevSessionToken(secrets.sessionTokenPrivateKey, { userId: options.userId, orgId: options.orgId, role: options.role, permissions, ttlSeconds: 60, authorizedParty: origin });
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(token);
      return;
    }
    const entry = FILES[url.pathname];
    if (!entry) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-store' }).end(readFileSync(entry.file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve(server));
  });
}
