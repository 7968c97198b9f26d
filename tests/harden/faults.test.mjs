// Faults: kill -9 while 50 clients post, round after round; a full disk under the data
// directory. Acknowledged writes survive unaltered, the database stays sound, the search
// index catches up with it, and a full disk answers 503, never a false success, then heals.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServer, freshDataDir, Client, eventually, binary } from '../support/server.mjs';
import { full } from './naughty.mjs';

const run = promisify(execFile);
const figure = (name, value, goal, met) => console.log(`harden-figure ${JSON.stringify({ name, value, goal, met })}`);
const sql = async (dir, query) => (await run('sqlite3', [join(dir, 'peerdesk.db'), query])).stdout.trim();

// Every question id the search index holds for a tag, page by page.
async function searchIds(client, tag) {
  const ids = [];
  for (let page = 1; ; page++) {
    const r = await client.api('GET', `/search?q=durable&tag=${tag}&sort=newest&pagesize=100&page=${page}`);
    assert.equal(r.status, 200, r.text);
    ids.push(...r.body.items.map((h) => h.question_id));
    if (r.body.items.length < 100) return ids.sort((a, b) => a - b);
  }
}

test('kill -9 while 50 clients post: nothing acknowledged is lost or altered, the database is sound, search catches up', async (t) => {
  const dir = await freshDataDir();
  const rounds = full ? 12 : 3;
  let server = await startServer({ t, dataDir: dir });
  const tokens = [];
  const setup = new Client(server.url);
  await setup.signUp('owner0');
  for (let i = 0; i < 50; i++) {
    const c = new Client(server.url);
    await c.signUp(`poster${i}`);
    tokens.push((await c.api('POST', '/tokens', { name: 'faults' })).body.token);
  }
  const acknowledged = new Map();  // id → body
  let killedInFlight = 0;
  let worstCatchUp = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      let stop = false;
      let killing = false;
      const clients = tokens.map((token, i) => (async () => {
        const c = new Client(server.url);
        c.bearer = token;
        for (let n = 0; !stop; n++) {
          const body = `Durable post ${round}-${i}-${n}: acknowledged means stored, byte for byte. ünïcödé ✓`;
          try {
            // Ten tags a round, so that no tag holds more than the 1,000 results search pages through.
            const r = await c.api('POST', '/questions', { title: `Durable question ${round} ${i} ${n}`, body, tags: [`round-${round}-${i % 10}`] });
            if (r.status === 201) acknowledged.set(r.body.id, body);
            else assert.fail(`unexpected ${r.status} ${r.text}`);
          } catch (e) {
            if (e.code === 'ERR_ASSERTION') throw e;
            // Only a request the kill cut off goes unacknowledged; any other error (a timeout, a
            // bad answer the client could not read) is a failure of the server.
            const code = e.cause?.code || e.code;
            if (!killing || !['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code))
              throw new Error(`round ${round}: a request failed ${killing ? 'with ' + code : 'before the kill'}: ${e.message}`);
            killedInFlight++;
            return;
          }
        }
      })());
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
      killing = true;
      server.child.kill('SIGKILL');
      const ended = await server.exited;
      assert.equal(ended.signal, 'SIGKILL', `round ${round}: the server ended by the kill, not on its own (${JSON.stringify(ended)})`);
      stop = true;
      await Promise.all(clients);
      assert.equal(await sql(dir, 'PRAGMA integrity_check'), 'ok', `round ${round}: integrity`);
      const restarted = Date.now();
      server = await startServer({ t, dataDir: dir });
      const reader = new Client(server.url);
      // Every acknowledged post, unaltered.
      const rows = new Map((await sql(dir, 'SELECT id, body_markdown FROM posts WHERE kind = \'question\' AND id IN (' + [...acknowledged.keys()].join(',') + ')'))
        .split('\n').map((line) => [Number(line.slice(0, line.indexOf('|'))), line.slice(line.indexOf('|') + 1)]));
      assert.equal(rows.size, acknowledged.size, `round ${round}: all ${acknowledged.size} acknowledged posts are in the database`);
      for (const [id, body] of acknowledged) assert.equal(rows.get(id), body, `post ${id} unaltered`);
      for (const [id, body] of [...acknowledged].slice(-60)) {
        const r = await reader.api('GET', `/questions/${id}`);
        assert.equal(r.status, 200);
        assert.equal(r.body.body_markdown, body);
      }
      // The search index equals the database for this round's tags within 5 seconds.
      for (let g = 0; g < 10; g++) {
        const tag = `round-${round}-${g}`;
        const inDb = (await sql(dir, `SELECT p.id FROM posts p JOIN question_tags qt ON qt.question_id = p.id JOIN tags t ON t.id = qt.tag_id WHERE t.name = '${tag}' AND p.deleted_at IS NULL ORDER BY p.id`))
          .split('\n').filter(Boolean).map(Number);
        assert.ok(inDb.length < 1000, `${tag}: ${inDb.length} posts, more than search pages through`);
        await eventually(async () => JSON.stringify(await searchIds(reader, tag)) === JSON.stringify(inDb), `round ${round}, ${tag}: search equal to the database`, 5000);
      }
      worstCatchUp = Math.max(worstCatchUp, Date.now() - restarted);
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`faults: ${rounds} kill -9 rounds, ${acknowledged.size} acknowledged posts kept, ${killedInFlight} requests cut off unacknowledged; search equal to the database ${worstCatchUp} ms after restart at worst`);
  figure('acknowledged posts lost after kill -9', `0 of ${acknowledged.size} (${rounds} rounds, 50 clients)`, '0', true);
  figure('search equal to the database after restart', `${worstCatchUp} ms`, '≤ 5 s', worstCatchUp <= 5000);
});

// The fault-injection library (tests/faultshim) that CTest names; next to the binary otherwise.
const faultShim = process.env.PEERDESK_FAULT_SHIM || join(dirname(binary), 'libpeerdesk_faultshim.so');

// One disk-full story, whatever fills the disk: some posts fit, then every write is refused
// with 503 and the message (never a false 201), reads and pages go on, writes resume without a
// restart once space returns, and everything acknowledged survives kill -9.
async function diskFull({ dir, env = {}, fill, free }) {
  let server = await startServer({ dataDir: dir, env });
  try {
    const c = new Client(server.url);
    await c.signUp('filler');
    await fill();
    const acknowledged = new Map();
    let refused = 0, message = '';
    for (let i = 0; i < 400 && refused < 20; i++) {
      const body = `Post ${i} while the disk fills: ${'padding text '.repeat(200)}`;
      const r = await c.api('POST', '/questions', { title: `Disk full question ${i}`, body, tags: ['full'] });
      if (r.status === 201) acknowledged.set(r.body.id, body);
      else {
        assert.equal(r.status, 503, `a full disk is 503, not ${r.status}: ${r.text}`);
        assert.match(r.body.error.message, /cannot store anything right now; try again later/);
        message = r.body.error.message;
        refused++;
      }
    }
    assert.ok(refused > 0, 'the disk filled up');
    assert.equal(server.child.exitCode, null, 'the server is still up');
    // Reading still works, and every acknowledged post is there.
    for (const [id, body] of acknowledged) assert.equal((await c.api('GET', `/questions/${id}`)).body.body_markdown, body);
    const page = await c.request('GET', '/');
    assert.equal(page.status, 200, 'pages are still served');
    // Space returns: the next write succeeds without a restart.
    await free();
    const healed = await eventually(async () => {
      const r = await c.api('POST', '/questions', { title: 'After the disk had room again', body: 'Writes work again without a restart.', tags: ['full'] });
      return r.status === 201 && r.body;
    }, 'a write after space returned', 5000);
    acknowledged.set(healed.id, 'Writes work again without a restart.');
    await eventually(async () => (await fetch(server.url + '/healthz')).status === 200, 'health after recovery', 5000);
    await eventually(async () => (await c.api('GET', '/search?q=disk+had+room')).body.items.length === 1, 'search after recovery', 5000);
    // And it all survives a crash.
    server.child.kill('SIGKILL');
    await server.exited;
    assert.equal(await sql(dir, 'PRAGMA integrity_check'), 'ok');
    server = await startServer({ dataDir: dir });
    const after = new Client(server.url);
    for (const [id, body] of acknowledged) assert.equal((await after.api('GET', `/questions/${id}`)).body.body_markdown, body);
    return { acknowledged: acknowledged.size, refused, message };
  } finally {
    await server.stop();
  }
}

// Runs on every run, as root or not: the fault library makes every write into the data
// directory fail with ENOSPC once a budget of about 200 kB is spent, as a filling disk does.
test('a full disk answers 503 with a message, never a false success, and heals when space returns', async () => {
  assert.ok(existsSync(faultShim), `the fault library is built: ${faultShim}`);
  const dir = await freshDataDir();
  const control = await mkdtemp(join(tmpdir(), 'peerdesk-fault-'));
  const env = { LD_PRELOAD: faultShim, PEERDESK_FAULT_DIR: dir, PEERDESK_FAULT_CONTROL: join(control, 'fault') };
  try {
    const { acknowledged, refused, message } = await diskFull({
      dir, env,
      fill: () => writeFile(env.PEERDESK_FAULT_CONTROL, 'enospc 200000\n'),
      free: () => rm(env.PEERDESK_FAULT_CONTROL),
    });
    console.log(`disk full (ENOSPC injected): ${acknowledged} posts acknowledged, ${refused} refused with 503 ("${message}"), writes resumed once space returned`);
    figure('disk full: false successes', `0 (${refused} refused with 503, all ${acknowledged} acknowledged kept)`, '0, and recovery', true);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(control, { recursive: true, force: true });
  }
});

// The same story on a real filesystem that really fills: a 24 MB tmpfs, which only root can
// mount here (unprivileged user namespaces are not available on every CI machine).
test('a full disk on a real, small filesystem: 503, no false success, heals', { skip: process.getuid?.() !== 0 && 'needs root to mount a small tmpfs' }, async () => {
  const mount = await mkdtemp(join(tmpdir(), 'peerdesk-full-'));
  await run('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount]);
  try {
    const dir = join(mount, 'data');
    await mkdir(dir);
    const { acknowledged, refused } = await diskFull({
      dir,
      // Fill the disk, leaving about a megabyte: some posts fit, then none.
      fill: async () => {
        const free = Number((await run('df', ['--output=avail', '-B1M', mount])).stdout.trim().split('\n').pop());
        await run('dd', ['if=/dev/zero', `of=${join(mount, 'ballast')}`, 'bs=1M', `count=${Math.max(free - 1, 1)}`]);
      },
      free: () => rm(join(mount, 'ballast')),
    });
    console.log(`disk full (tmpfs): ${acknowledged} posts acknowledged, ${refused} refused with 503, writes resumed once space returned`);
  } finally {
    await run('umount', ['-l', mount]).catch(() => {});
    await rm(mount, { recursive: true, force: true });
  }
});

// A failing disk: writes and fsync under the data directory fail with EIO, then reads too.
// Writes are refused with 503, never acknowledged; the server stays up and answers every
// request; all is well once the disk answers again, without a restart.
test('a failing disk (EIO) refuses writes with 503, stays up and recovers', async (t) => {
  assert.ok(existsSync(faultShim), `the fault library is built: ${faultShim}`);
  const dir = await freshDataDir();
  const control = await mkdtemp(join(tmpdir(), 'peerdesk-fault-'));
  const env = { LD_PRELOAD: faultShim, PEERDESK_FAULT_DIR: dir, PEERDESK_FAULT_CONTROL: join(control, 'fault') };
  let server = await startServer({ dataDir: dir, env });
  try {
    const c = new Client(server.url);
    await c.signUp('reader');
    const before = await c.api('POST', '/questions', { title: 'Written before the disk failed', body: 'This one was stored.', tags: ['eio'] });
    assert.equal(before.status, 201, before.text);
    const reads = ['/api/v1/questions/' + before.body.id, '/', '/healthz'];
    const seen = {};
    for (const fault of ['eio-write', 'eio']) {
      await writeFile(env.PEERDESK_FAULT_CONTROL, fault + '\n');
      seen[fault] = new Map();
      for (let i = 0; i < 5; i++) {
        const r = await c.api('POST', '/questions', { title: `Written while the disk fails ${i}`, body: 'Never acknowledged: the disk failed.', tags: ['eio'] });
        assert.equal(r.status, 503, `${fault}: a failing disk refuses writes with 503, not ${r.status}: ${r.text}`);
        assert.match(r.body.error.message, /cannot store anything right now; try again later/);
        for (const path of reads) {
          const g = await c.request('GET', path);  // throws if the server dropped the connection
          seen[fault].set(path, [...(seen[fault].get(path) || []), g.status]);
        }
      }
      assert.equal(server.child.exitCode, null, `${fault}: the server is still up`);
      await rm(env.PEERDESK_FAULT_CONTROL);
      const healed = await eventually(async () => {
        const r = await c.api('POST', '/questions', { title: `After the disk recovered from ${fault}`, body: 'Stored again once the disk answered.', tags: ['eio'] });
        return r.status === 201 && r.body;
      }, `a write after ${fault} ended`, 5000);
      await eventually(async () => (await fetch(server.url + '/healthz')).status === 200, `health after ${fault}`, 5000);
      assert.equal((await c.api('GET', `/questions/${healed.id}`)).status, 200);
    }
    // With reads still working, nothing but the writes may fail.
    for (const [path, statuses] of seen['eio-write']) {
      if (path !== '/healthz') assert.deepEqual([...new Set(statuses)], [200], `eio-write: GET ${path} answered ${statuses}`);
    }
    // With reads failing too, every page answers 503 (to be tried again) rather than 500: a
    // failed read reaches SQLite as a malformed page, which the server takes for what it is.
    for (const [path, statuses] of seen.eio) assert.ok(statuses.every((s) => s === 200 || s === 503), `eio: GET ${path} answered ${statuses}`);
    server.child.kill('SIGKILL');
    await server.exited;
    assert.equal(await sql(dir, 'PRAGMA integrity_check'), 'ok');
    server = await startServer({ dataDir: dir });
    assert.equal((await new Client(server.url).api('GET', `/questions/${before.body.id}`)).status, 200);
    console.log(`disk failing (EIO injected): writes refused with 503; reads answered ${JSON.stringify(Object.fromEntries(Object.entries(seen).map(([f, m]) => [f, Object.fromEntries(m)])))}; recovered without a restart`);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(control, { recursive: true, force: true });
  }
});
