// `npm run example:live -- [--port 5173] [--api http://localhost:3000] [--user user_…] [--org org_…] [--role org:admin]`:
// serves the live example page (server.ts) on its own origin. The defaults are the fixture story's
// Alicia, admin of Test Trucking.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startExampleServer } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5173' },
    api: { type: 'string', default: `http://localhost:${process.env.PORT ?? 3000}` },
    user: { type: 'string', default: 'user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv' },
    org: { type: 'string', default: 'org_2xtKS56z1iD1EVaRTl9TEMizXs6' },
    role: { type: 'string', default: 'org:admin' },
  },
});
const port = Number(values.port);
await startExampleServer({ port, host: 'localhost', dataDir: path.resolve(process.env.DATA_DIR ?? '.data'), userId: values.user, orgId: values.org, role: values.role });
console.log(`live example: http://localhost:${port}/?api=${encodeURIComponent(values.api)}`);
console.log(`(the API must allow this origin: CORS_ORIGINS=http://localhost:${port} npm start)`);
