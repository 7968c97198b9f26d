// peerdesk backup FILE while the server serves and writes go on; the copy, restored and
// reindexed, is the same community: every post acknowledged before the backup, found alike.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { copyFile, rm, access } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir, eventually } from '../support/server.mjs';

test('an online backup, restored and reindexed, gives the same community', async (t) => {
  const s = await startServer({ t });
  const c = new Client(s.url);
  await c.signUp('hana');
  const ids = [];
  for (let i = 0; i < 15; i++) {
    const r = await c.api('POST', '/questions', { title: `Backup question number ${i} about zeolite${i}`, body: `Body of question ${i}, long enough to post.`, tags: ['backup'] });
    assert.equal(r.status, 201);
    ids.push(r.body.id);
    await c.api('POST', `/questions/${r.body.id}/answers`, { body: `An answer to question ${i} that explains the fix.` });
  }
  // Writes go on while the backup runs.
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; i++) await c.api('POST', `/questions/${ids[0]}/answers`, { body: `Concurrent answer ${i} written during the backup.` });
  })();
  const file = join(await freshDataDir(), 'copy.db');
  const { stdout } = await peerdesk(['backup', file, '--data', s.dir]);
  writing = false;
  await writer;
  assert.match(stdout, /backed up \d+ pages/);
  await assert.rejects(peerdesk(['backup', file, '--data', s.dir]), /exists already/);
  await assert.rejects(access(file + '.partial'));

  const check = await promisify(execFile)('sqlite3', [file, 'PRAGMA integrity_check; PRAGMA journal_mode;']);
  assert.equal(check.stdout.trim(), 'ok\ndelete', 'a whole database file, standing alone');
  const restored = await freshDataDir();
  await copyFile(file, join(restored, 'peerdesk.db'));
  const reindex = await peerdesk(['reindex', '--data', restored]);
  assert.match(reindex.stdout, /reindexed into index-/);
  const r = await startServer({ t, dataDir: restored });
  const orig = new Client(s.url);
  const copy = new Client(r.url);
  const ok = (await copy.request('GET', '/api/v1/questions?pagesize=100'));
  const list = (x) => x.body.items.map((q) => [q.id, q.title, q.tags.join(' ')]);
  // Every question written before the backup is in the copy, the same; nothing else.
  assert.deepEqual(list(ok), list(await orig.request('GET', '/api/v1/questions?pagesize=100')));
  for (const [n, id] of ids.entries()) {
    const a = await orig.request('GET', `/api/v1/questions/${id}`);
    const b = await copy.request('GET', `/api/v1/questions/${id}`);
    assert.equal(b.status, 200);
    assert.equal(b.body.body_html, a.body.body_html);
    if (n > 0) assert.deepEqual(b.body.answers.map((x) => x.body_markdown), a.body.answers.map((x) => x.body_markdown));
    const found = await eventually(async () => (await copy.request('GET', `/api/v1/search?q=zeolite${n}`)).body.items[0], `zeolite${n} in the copy`);
    assert.equal(found.question_id, id);
  }
  assert.equal((await copy.request('GET', '/healthz')).status, 200);
  await r.stop();
  await s.stop();
  await rm(restored, { recursive: true, force: true });
  assert.deepEqual(s.errors, []);
  assert.deepEqual(r.errors, []);
});
