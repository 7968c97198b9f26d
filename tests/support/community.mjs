// A community to test against, set up as most suites need it: a fresh data directory, staff
// accounts made from the command line, settings set before the server starts, then the server,
// the staff signed in and the members signed up, in that order.
import { Client, createAccount, freshDataDir, peerdesk, startServer } from './server.mjs';

// staff: { name: role } (role 'moderator' or 'admin'); settings: { key: value }; members: the
// usernames to sign up. Answers the data directory, the server and a signed-in Client by name.
export async function startCommunity({ staff = {}, settings = {}, members = [], server: options = {} } = {}) {
  const dir = await freshDataDir();
  for (const [name, role] of Object.entries(staff)) await createAccount(dir, name, role);
  for (const [key, value] of Object.entries(settings)) {
    await peerdesk(['settings', 'set', key, String(value), '--data', dir]);
  }
  const server = await startServer({ dataDir: dir, ...options });
  const clients = {};
  for (const name of Object.keys(staff)) {
    clients[name] = new Client(server.url);
    await clients[name].signIn(name);
  }
  for (const name of members) {
    clients[name] = new Client(server.url);
    await clients[name].signUp(name);
  }
  return { dir, server, clients };
}
