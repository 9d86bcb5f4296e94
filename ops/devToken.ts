// `npm run -s dev:token -- [--user …] [--org … --role …]`: prints a session token the development
// server accepts (see server/devSessionToken.ts), for Authorization: Bearer in GraphiQL or curl.
// The defaults are the fixture story's Alicia, admin of Test Trucking (test/fixtures/clerk/README.md).
import '../server/environmentFile.ts'; // first: .env / ENV_FILE before anything reads the environment
import { Command, InvalidArgumentError } from 'commander';
import { REFERENCE_ROLES } from '../server/clerk/referenceRoles.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { loadDevSecrets } from '../server/devSecrets.ts';
import { mintDevSessionToken } from '../server/devSessionToken.ts';

const STORY_USER = 'user_2xtKOmOKFZcYQ8kBGzxhPlrgBJv';
const STORY_ORG = 'org_2xtKS56z1iD1EVaRTl9TEMizXs6';

function seconds(value: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(value.trim());
  if (!match || Number(match[1]) < 1) throw new InvalidArgumentError('must be a duration such as 900, 30m, 8h or 1d');
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
}

const program = new Command('dev:token')
  .description('Mint a development session token (RS256, Clerk v1 claims) that the server accepts outside production when CLERK_JWT_KEY and CLERK_SECRET_KEY are unset.')
  .option('--user <id>', 'the user (sub)', STORY_USER)
  .option('--org <id>', 'the active organization (org_id); "none" for a token without one', STORY_ORG)
  .option('--role <key>', 'org_role in that organization', 'org:admin')
  .option('--permissions <list>', "comma-separated org_permissions (default: the role's in the reference role matrix)")
  .option('--ttl <duration>', 'how long the token is valid', seconds, 3600)
  .showHelpAfterError()
  .action((options: { user: string; org: string; role: string; permissions?: string; ttl: number }) => {
    const config = loadConfig();
    if (config.production) throw new Error('development tokens are refused with NODE_ENV=production');
    if (config.clerk.jwtKey || config.clerk.secretKey) {
      console.error('dev:token: note: CLERK_JWT_KEY or CLERK_SECRET_KEY is set, so the server verifies real Clerk tokens and will refuse this one');
    }
    const orgId = options.org === 'none' ? undefined : options.org;
    const permissions = options.permissions?.split(',').map((permission) => permission.trim()).filter(Boolean)
      ?? REFERENCE_ROLES.find((role) => role.key === options.role)?.permissions ?? [];
    const { secrets } = loadDevSecrets(config.database.dataDir);
    console.log(
      mintDevSessionToken(secrets.sessionTokenPrivateKey, {
        userId: options.user,
        orgId,
        role: orgId ? options.role : undefined,
        permissions: orgId ? permissions : undefined,
        ttlSeconds: options.ttl,
        authorizedParty: `http://localhost:${config.port}`,
      }),
    );
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`dev:token: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
