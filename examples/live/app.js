// A frontend of clerk-pg-sync in one file: it queries the API over HTTP (cross-origin, so the browser
// sends a CORS preflight for the Authorization header), then follows the organization's changes over
// a websocket with graphql-ws, refetching the member list whenever a membership changes.
// `getToken()` stands in for Clerk's `window.Clerk.session.getToken()`: here the example's server
// hands out development tokens.
const api = new URL(new URLSearchParams(location.search).get('api') ?? 'http://localhost:3000');
const $ = (id) => document.getElementById(id);

async function getToken() {
  const response = await fetch('/token');
  if (!response.ok) throw new Error(`no token: ${response.status}`);
  return (await response.text()).trim();
}

async function query(text, variables = {}) {
  const response = await fetch(new URL('/graphql', api), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await getToken()}` },
    body: JSON.stringify({ query: text, variables }),
  });
  const { data, errors } = await response.json();
  if (errors) throw new Error(errors.map((error) => error.message).join('; '));
  return data;
}

async function showMembers() {
  const { currentOrganization } = await query(`{
    currentOrganization { name organizationMemberships(orderBy: ID_ASC) { nodes { id role user { id firstName lastName } } } }
  }`);
  $('organization').textContent = currentOrganization?.name ?? '(no organization)';
  $('members').replaceChildren(
    ...(currentOrganization?.organizationMemberships.nodes ?? []).map((member) => {
      const item = document.createElement('li');
      item.dataset.id = member.id;
      item.textContent = `${member.user?.firstName ?? ''} ${member.user?.lastName ?? ''} (${member.user?.id ?? 'unknown user'}): ${member.role}`;
      return item;
    }),
  );
}

function showChange(change) {
  const item = document.createElement('li');
  item.dataset.kind = change.kind;
  item.dataset.id = change.id;
  item.dataset.operation = change.operation;
  const role = change.membership ? ` → ${change.membership.role}` : '';
  item.innerHTML = `<code>${change.operation}</code> ${change.kind} <code>${change.id}</code>${role}`;
  $('changes').prepend(item);
}

function setStatus(state, text = state) {
  $('status').dataset.state = state;
  $('status').textContent = text;
}

const client = graphqlWs.createClient({
  url: new URL('/graphql', api).href.replace(/^http/, 'ws'),
  // Called for every connection, so a reconnect always carries a fresh token.
  connectionParams: async () => ({ Authorization: `Bearer ${await getToken()}` }),
  on: {
    connected: () => setStatus('live'),
    closed: (event) => setStatus('closed', `closed (${event.code} ${event.reason})`),
  },
});

function follow() {
  client.subscribe(
    { query: `subscription { organizationChanged { operation kind id membership { id role } } }` },
    {
      next: ({ data, errors }) => {
        if (errors) return setStatus('error', errors.map((error) => error.message).join('; '));
        showChange(data.organizationChanged);
        if (data.organizationChanged.kind === 'MEMBERSHIP') showMembers().catch((error) => setStatus('error', error.message));
      },
      // The token expired while connected: subscribe again (with a fresh token) and refetch.
      error: (error) => {
        if (error?.code === 4401 && error.reason?.startsWith('session token expired')) {
          follow();
          showMembers();
        } else {
          setStatus('error', `ended: ${error?.code ?? ''} ${error?.reason ?? error?.message ?? error}`);
        }
      },
      complete: () => setStatus('closed'),
    },
  );
}

showMembers().then(follow, (error) => setStatus('error', error.message));
