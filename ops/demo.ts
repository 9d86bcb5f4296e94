// `npm run demo [-- --url http://localhost:3000]`: seeds a fleet organization in the running
// development server the way production gets its data. Its members arrive as Svix-signed Clerk
// webhooks (user.created, organization.created, organizationMembership.created: admin,
// dispatcher, two drivers, compliance); its drivers, vehicle and loads are created through the
// GraphQL mutations with the admin's and the dispatcher's tokens, under the same policies (and
// audit trail) as any client. Prints a development session token per role. Run it again to get
// fresh tokens: the webhooks answer `duplicate`/`stale` and existing rows are kept.
import { Command } from 'commander';
import { REFERENCE_ROLES } from '../server/clerk/referenceRoles.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { loadDevSecrets } from '../server/devSecrets.ts';
import { mintDevSessionToken } from '../server/devSessionToken.ts';
import { svixSignatureHeaders } from '../support/svixSignature.ts';
import { newMessageId } from './send.ts';

const ORG = { id: 'org_2demoFleetFusionFreight', name: 'FleetFusion Freight', slug: 'fleetfusion-freight' };
const PEOPLE = [
  { key: 'admin', id: 'user_2demoAvaAdmin', first: 'Ava', last: 'Admin', role: 'org:admin' },
  { key: 'dispatcher', id: 'user_2demoDevDispatcher', first: 'Dev', last: 'Dispatcher', role: 'org:dispatcher' },
  { key: 'driver', id: 'user_2demoDrewDriver', first: 'Drew', last: 'Driver', role: 'org:driver' },
  { key: 'driver2', id: 'user_2demoDoraDriver', first: 'Dora', last: 'Driver', role: 'org:driver' },
  { key: 'compliance', id: 'user_2demoCoraCompliance', first: 'Cora', last: 'Compliance', role: 'org:compliance' },
] as const;
// Fixed times, so a second run's webhooks are duplicates of the first's content (stale), not changes.
const CREATED_AT = 1_764_000_000_000;

const permissionsOf = (role: string) => REFERENCE_ROLES.find((candidate) => candidate.key === role)?.permissions ?? [];

function events(): unknown[] {
  const organization = {
    object: 'organization', id: ORG.id, name: ORG.name, slug: ORG.slug, image_url: '', has_image: false, created_by: PEOPLE[0].id,
    max_allowed_memberships: 0, admin_delete_enabled: true, members_count: PEOPLE.length,
    public_metadata: { mcNumber: 'MC-884422', dotNumber: '3344556', companyName: 'FleetFusion Freight LLC' },
    created_at: CREATED_AT, updated_at: CREATED_AT,
  };
  const envelope = (type: string, data: unknown) => ({ type, object: 'event', timestamp: CREATED_AT + 1000, instance_id: 'ins_demo', data });
  return [
    ...PEOPLE.map((person) => envelope('user.created', {
      object: 'user', id: person.id, first_name: person.first, last_name: person.last, username: null, image_url: '', has_image: false,
      primary_email_address_id: `idn_${person.key}`,
      email_addresses: [{ id: `idn_${person.key}`, object: 'email_address', email_address: `${person.key}@fleetfusion.example`, verification: null, linked_to: [] }],
      public_metadata: { onboardingComplete: true }, private_metadata: {}, unsafe_metadata: {}, banned: false, locked: false,
      created_at: CREATED_AT, updated_at: CREATED_AT, last_sign_in_at: null, last_active_at: null,
    })),
    envelope('organization.created', organization),
    ...PEOPLE.map((person) => envelope('organizationMembership.created', {
      object: 'organization_membership', id: `orgmem_2demo${person.key}`, role: person.role, role_name: person.role.slice(4),
      permissions: permissionsOf(person.role), public_metadata: {}, created_at: CREATED_AT, updated_at: CREATED_AT, organization,
      public_user_data: { user_id: person.id, first_name: person.first, last_name: person.last, identifier: `${person.key}@fleetfusion.example`, image_url: '', has_image: false },
    })),
  ];
}

async function main(options: { url?: string }): Promise<void> {
  const config = loadConfig();
  if (config.production) throw new Error('the demo mints development tokens and is refused with NODE_ENV=production');
  const { secrets } = loadDevSecrets(config.database.dataDir);
  const baseUrl = options.url ?? `http://localhost:${config.port}`;
  const secret = config.clerk.webhookSecrets[0] ?? secrets.webhookSigningSecret;

  for (const event of events()) {
    const body = JSON.stringify(event);
    const response = await fetch(`${baseUrl}/api/webhooks/clerk`, { method: 'POST', headers: { 'content-type': 'application/json', ...svixSignatureHeaders(secret, newMessageId(), body) }, body });
    const answer = (await response.json().catch(() => ({}))) as { status?: string; error?: unknown };
    if (response.status !== 200 || answer.status === 'failed') throw new Error(`webhook ${(event as { type: string }).type} answered ${response.status} ${JSON.stringify(answer)}`);
  }
  console.log(`synced ${PEOPLE.length} members of ${ORG.name} (${ORG.id}) through signed webhooks`);

  const tokens = Object.fromEntries(PEOPLE.map((person) => [person.key, mintDevSessionToken(secrets.sessionTokenPrivateKey, {
    userId: person.id, orgId: ORG.id, role: person.role, permissions: permissionsOf(person.role).filter((key) => !key.startsWith('org:sys_')),
    ttlSeconds: 8 * 3600, authorizedParty: `http://localhost:${config.port}`,
  })]));
  const graphql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const result = (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
    return result;
  };
  const existing = await graphql(tokens.admin, `{ drivers { nodes { id userId } } vehicles { nodes { id unitNumber } } loads { nodes { id loadNumber } } }`);
  if (existing.errors) throw new Error(`reading the fleet failed: ${JSON.stringify(existing.errors)}`);
  if (!existing.data.loads.nodes.length) {
    const driverIds: string[] = [];
    for (const person of PEOPLE.filter((candidate) => candidate.role === 'org:driver')) {
      const created = await graphql(tokens.admin, `mutation ($driver: DriverInput!) { createDriver(input: { driver: $driver }) { driver { id } } }`, {
        driver: { userId: person.id, firstName: person.first, lastName: person.last, licenseState: 'TX', licenseClass: 'A', licenseExpiresOn: '2028-06-30' },
      });
      if (created.errors) throw new Error(`creating a driver failed: ${JSON.stringify(created.errors)}`);
      driverIds.push(created.data.createDriver.driver.id);
    }
    const vehicle = await graphql(tokens.admin, `mutation { createVehicle(input: { vehicle: { unitNumber: "T-101", make: "Freightliner", model: "Cascadia", modelYear: 2023 } }) { vehicle { id } } }`);
    if (vehicle.errors) throw new Error(`creating a vehicle failed: ${JSON.stringify(vehicle.errors)}`);
    const loads = [
      { loadNumber: 'FF-1001', customerName: 'Lone Star Produce', originCity: 'Dallas', originState: 'TX', destinationCity: 'Tulsa', destinationState: 'OK', rate: '1450.00', estimatedMiles: 257, driverId: driverIds[0], vehicleId: vehicle.data.createVehicle.vehicle.id, status: 'assigned' },
      { loadNumber: 'FF-1002', customerName: 'Gulf Coast Steel', originCity: 'Houston', originState: 'TX', destinationCity: 'Memphis', destinationState: 'TN', rate: '2300.00', estimatedMiles: 561, driverId: driverIds[1], status: 'assigned' },
      { loadNumber: 'FF-1003', customerName: 'Hill Country Lumber', originCity: 'Austin', originState: 'TX', destinationCity: 'Denver', destinationState: 'CO', rate: '3100.00', estimatedMiles: 920 },
    ];
    for (const load of loads) {
      const created = await graphql(tokens.dispatcher, `mutation ($load: LoadInput!) { createLoad(input: { load: $load }) { load { id } } }`, { load });
      if (created.errors) throw new Error(`creating load ${load.loadNumber} failed: ${JSON.stringify(created.errors)}`);
    }
    console.log(`created ${driverIds.length} drivers and a vehicle (as the admin) and ${loads.length} loads (as the dispatcher) through GraphQL`);
  } else {
    console.log(`the fleet already exists (${existing.data.loads.nodes.length} loads): kept as it is`);
  }

  console.log(`\ndevelopment tokens for ${ORG.name}, valid 8 hours (Authorization: Bearer …):`);
  for (const person of PEOPLE) console.log(`\n# ${person.key} (${person.role}, ${person.first} ${person.last})\nexport ${person.key.toUpperCase()}_TOKEN=${tokens[person.key]}`);
}

new Command('demo')
  .description('Seed a fleet organization in the running development server (members through signed webhooks, fleet rows through GraphQL) and print a development token per role.')
  .option('--url <url>', 'the running server (default: http://localhost:$PORT)')
  .action((options: { url?: string }) => main(options))
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(`demo: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
