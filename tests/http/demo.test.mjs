// The demo community lets a newcomer try every role: the loader prints each account and
// its password, and each of them can sign in, the admin included.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rm } from 'node:fs/promises';
import { startServer, freshDataDir, Client } from '../support/server.mjs';

const run = promisify(execFile);

test('the demo community has an admin, named with its password in the loader output', async () => {
  const dir = await freshDataDir();
  try {
    const script = new URL('../../scripts/demo.mjs', import.meta.url).pathname;
    const { stdout } = await run(process.execPath, [script, dir]);
    assert.match(stdout, /admin \(user "admin"\)/);
    const password = /every demo password is "([^"]+)"/.exec(stdout)?.[1];
    assert.ok(password, stdout);
    assert.match(stdout, /sign in as [^\n]*\bmoderator\b[^\n]*\badmin\b/);
    const server = await startServer({ dataDir: dir });
    try {
      const admin = new Client(server.url);
      const r = await admin.signIn('admin', password);
      assert.equal(r.body.user.role, 'admin');
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
