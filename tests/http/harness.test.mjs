// The test harness itself: a server that fails to start leaves nothing behind, a server that will
// not stop is killed and fails the test, a forgotten server neither keeps the test process alive
// nor outlives it, a stuck test file ends itself, and Set-Cookie lines survive a Node whose fetch
// joins them. Without these, one failing test could hold a suite until CTest's timeout.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, freshDataDir, setCookies, eventually } from '../support/server.mjs';

const node = process.execPath;
const support = new URL('../support/', import.meta.url).href;

// Processes whose command line mentions the text (a data directory unique to one test).
async function processesWith(text) {
  const found = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text) && Number(pid) !== process.pid) found.push(Number(pid));
  }
  return found;
}

// Runs a node script from a file; resolves with its exit code, output and how long it took.
async function runScript(dir, name, source, env = {}) {
  const file = join(dir, name);
  await writeFile(file, source);
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(node, [file], { env: { ...process.env, ...env }, timeout: 60000 }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, signal: error?.signal, stdout, stderr, ms: Date.now() - started }));
  });
}

test('a server that cannot start is refused at once and leaves no process behind', async () => {
  const dir = await freshDataDir();
  const started = Date.now();
  await assert.rejects(startServer({ dataDir: dir, args: ['--no-such-option', 'x'] }), /peerdesk exited with 2: .*unknown option --no-such-option/s);
  assert.ok(Date.now() - started < 5000, `refused after ${Date.now() - started} ms`);
  assert.deepEqual(await processesWith(dir), []);
  await rm(dir, { recursive: true, force: true });
});

test('a server program that cannot be run at all is refused at once', async () => {
  const dir = await freshDataDir();
  const r = await runScript(dir, 'missing.mjs', `
    import { startServer } from ${JSON.stringify(support + 'server.mjs')};
    await startServer().then(() => process.exit(3), (e) => { console.log(e.message); });
  `, { PEERDESK_BIN: join(dir, 'no-such-program') });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ENOENT/);
  assert.ok(r.ms < 20000);
  await rm(dir, { recursive: true, force: true });
});

test('stop() kills a server that does not exit after SIGTERM, and says so', async () => {
  const server = await startServer();
  // A stopped process cannot act on SIGTERM: as good as hung. It must be stopped before the
  // SIGTERM comes, or the kernel may deliver the lower-numbered SIGTERM first.
  process.kill(server.child.pid, 'SIGSTOP');
  const state = async () => (await readFile(`/proc/${server.child.pid}/stat`, 'utf8')).replace(/^.*\) /s, '')[0];
  await eventually(async () => (await state()) === 'T', 'the server to be stopped', 10000);
  const started = Date.now();
  await assert.rejects(server.stop(), /did not exit within 10 s of SIGTERM and was killed/);
  assert.ok(Date.now() - started < 15000);
  assert.equal((await server.exited).signal, 'SIGKILL');
  assert.deepEqual(await processesWith(server.dir), []);
});

test('a server nobody stopped neither keeps the test process alive nor outlives it', async () => {
  const dir = await freshDataDir();
  const r = await runScript(dir, 'forgotten.mjs', `
    import { startServer } from ${JSON.stringify(support + 'server.mjs')};
    const server = await startServer({ dataDir: ${JSON.stringify(join(dir, 'data'))} });
    console.log('pid', server.child.pid);
  `);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.ms < 20000, `the process ended after ${r.ms} ms`);
  const pid = Number(/pid (\d+)/.exec(r.stdout)?.[1]);
  assert.ok(pid > 0, r.stdout);
  // The exit handler's SIGKILL is delivered at once; the kernel may take a moment to reap.
  for (let i = 0; i < 50 && (await processesWith(dir)).length; i++) await new Promise((res) => setTimeout(res, 100));
  assert.deepEqual(await processesWith(dir), [], 'the forgotten server was killed with its test process');
  await rm(dir, { recursive: true, force: true });
});

test('a stuck test file ends itself at its deadline, and its server with it', async () => {
  const dir = await freshDataDir();
  const r = await runScript(dir, 'stuck.test.mjs', `
    import { test } from ${JSON.stringify(support + 'test.mjs')};
    import { startServer } from ${JSON.stringify(support + 'server.mjs')};
    test('waits for ever', async () => {
      await startServer({ dataDir: ${JSON.stringify(join(dir, 'data'))} });
      setInterval(() => {}, 1000);
      await new Promise(() => {});
    });
  `, { PEERDESK_FILE_TIMEOUT: '3' });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /still running after 3 s; ending it/);
  assert.ok(r.ms < 20000, `ended after ${r.ms} ms`);
  for (let i = 0; i < 50 && (await processesWith(dir)).length; i++) await new Promise((res) => setTimeout(res, 100));
  assert.deepEqual(await processesWith(dir), []);
  await rm(dir, { recursive: true, force: true });
});

test('Set-Cookie lines are split right where fetch joins them into one header', () => {
  const joined = (value) => ({ get: (name) => (name === 'set-cookie' ? value : null) });
  assert.deepEqual(setCookies(joined(null)), []);
  assert.deepEqual(setCookies(joined('a=1; Path=/; HttpOnly, b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/, c=x=y; Max-Age=0')), [
    'a=1; Path=/; HttpOnly', 'b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/', 'c=x=y; Max-Age=0']);
  const headers = new Headers([['set-cookie', 'a=1; Path=/'], ['set-cookie', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT']]);
  assert.deepEqual(setCookies(headers), ['a=1; Path=/', 'b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT']);
});
