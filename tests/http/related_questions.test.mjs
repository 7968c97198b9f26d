// Related questions kept in the database (schema/0033): found in the background once a new
// question is indexed, read by the question's id by its page and the API, rid of deleted
// questions, found again when a title changes, and filled in for a community that had none.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, ask, eventually } from '../support/server.mjs';
import { startCommunity } from '../support/community.mjs';

const run = promisify(execFile);

let dir, server, alice, bob, mod, reader;

// The database file as the server leaves it (a second connection, waiting out the writer).
async function sql(statement) {
  const { stdout } = await run('sqlite3', ['-cmd', '.timeout 5000', join(dir, 'peerdesk.db'), statement]);
  return stdout.trim();
}
const kept = async (id) => {
  const row = await sql(`SELECT related_ids FROM related_questions WHERE question_id = ${id}`);
  return row === '' && !(await sql(`SELECT 1 FROM related_questions WHERE question_id = ${id}`)) ? null : row.split(',').filter(Boolean).map(Number);
};
const relatedIds = async (id) => {
  const r = await reader.request('GET', `/api/v1/questions/${id}/similar`);
  assert.equal(r.status, 200, r.text);
  return r.body.items.map((i) => i.question_id);
};

before(async () => {
  ({ dir, server, clients: { alice, bob, mod } } = await startCommunity({ staff: { mod: 'moderator' }, members: ['alice', 'bob'] }));
  reader = new Client(server.url);
});

after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(server.errors, [], 'no request made the server log an error');
});

test('a new question gets its related questions kept, and an older one with room gains it', async () => {
  const older = await ask(alice, 'Kettle descaling leaves chalky flakes behind', 'After descaling the kettle white flakes float in the water.', ['kitchen']);
  const newer = await ask(bob, 'Chalky flakes in tea after the kettle was descaled', 'The tea has flakes in it since I descaled.', ['kitchen']);
  const unrelated = await ask(bob, 'Bicycle chain skips on the smallest sprocket', 'The chain jumps under load in top gear.', ['bikes']);
  // Found in the background once the index holds them: the newer names the older, and the
  // older, which had room, is found again and names the newer.
  await eventually(async () => (await kept(newer))?.includes(older), 'the newer question to keep the older as related', 20000);
  await eventually(async () => (await kept(older))?.includes(newer), 'the older question to keep the newer as related', 20000);
  await eventually(async () => (await kept(unrelated)) !== null, 'the unrelated question to keep an (empty) list', 20000);
  assert.deepEqual(await kept(unrelated), [], 'nothing shares a rare word with the bicycle');
  assert.ok((await relatedIds(newer)).includes(older));
  assert.ok(!(await relatedIds(newer)).includes(newer), 'never the question itself');
  assert.match((await reader.request('GET', `/questions/${older}`)).text, /class="related"[\s\S]*Chalky flakes in tea after the kettle was descaled/);
});

test('the page and the API read the kept list by the question, not the index', async () => {
  const a = await ask(alice, 'Dishwasher tablets leave a gritty film on glasses', 'Glasses come out cloudy and gritty.', ['kitchen']);
  const b = await ask(bob, 'Garden hose reel will not rewind', 'The reel spring seems stuck.', ['garden']);
  await eventually(async () => (await kept(a)) !== null, 'a list for the dishwasher question', 20000);
  assert.ok(!(await relatedIds(a)).includes(b), 'the index does not relate a hose reel to a dishwasher');
  // What the server kept is what it shows: the row names the hose reel (as if found so).
  await sql(`UPDATE related_questions SET related_ids = '${b}' WHERE question_id = ${a}`);
  assert.deepEqual(await relatedIds(a), [b]);
  await eventually(async () => (await reader.request('GET', `/questions/${a}`)).text.includes(`href="/questions/${b}"`) || null, 'the page to show the kept list', 6000);
});

test('a deleted question leaves the others\' lists at once, and its own list goes', async () => {
  const main = await ask(alice, 'Sourdough starter smells of nail varnish', 'My starter smells of acetone after a week.', ['baking']);
  const doomed = await ask(bob, 'Why does my sourdough starter smell like varnish?', 'A sharp acetone smell.', ['baking']);
  await eventually(async () => (await kept(main))?.includes(doomed), 'the doomed question to be related to the main one', 20000);
  await eventually(async () => (await kept(doomed)) !== null, 'a list for the doomed question', 20000);
  assert.ok((await relatedIds(main)).includes(doomed));
  const deleted = await mod.api('DELETE', `/posts/${doomed}`, { reason: 'duplicate' });
  assert.equal(deleted.status, 204, deleted.text);
  assert.ok(!(await relatedIds(main)).includes(doomed), 'gone from the API at once');
  await eventually(async () => !(await reader.request('GET', `/questions/${main}`)).text.includes(`href="/questions/${doomed}"`) || null, 'the deleted question to leave the page', 6000);
  await eventually(async () => (await kept(doomed)) === null, 'the deleted question\'s own list to go', 20000);
  // The main question lost a related question: found again, without the deleted one.
  await eventually(async () => { const ids = await kept(main); return ids && !ids.includes(doomed); }, 'the main question\'s list to be found again', 20000);
  // Undeleted, it comes back.
  const back = await mod.api('POST', `/posts/${doomed}/undelete`);
  assert.ok(back.status < 300, back.text);
  await eventually(async () => (await kept(doomed))?.includes(main), 'the undeleted question to have its list again', 20000);
});

test('an edited title is looked for again', async () => {
  const q = await ask(alice, 'Laptop fan whirs loudly at idle', 'The fan never stops.', ['hardware']);
  const other = await ask(bob, 'Houseplant leaves turn yellow in winter', 'Leaves yellow and drop.', ['garden']);
  await eventually(async () => (await kept(q)) !== null, 'a list for the laptop question', 20000);
  assert.ok(!(await relatedIds(q)).includes(other));
  const edited = await alice.api('PATCH', `/questions/${q}`, { title: 'Laptop fan whirs while houseplant leaves turn yellow' });
  assert.equal(edited.status, 200, edited.text);
  await eventually(async () => (await relatedIds(q)).includes(other) || null, 'the edited title to find the houseplant question', 20000);
  await eventually(async () => (await kept(q))?.includes(other), 'the list kept for the new title', 20000);
});

test('a community whose lists are missing gets them in the background after a restart', async () => {
  const titles = ['Oven door glass cracked from heat', 'Cracked oven glass after cleaning cycle', 'Router lights blink orange all night'];
  const ids = [];
  for (const t of titles) ids.push(await ask(bob, t, 'Details follow in the body of the question.', ['home']));
  await eventually(async () => (await kept(ids[1]))?.includes(ids[0]), 'the oven questions to be related', 20000);
  await server.stop();
  await sql('DELETE FROM related_questions');
  assert.equal(await sql('SELECT count(*) FROM related_questions'), '0');
  // As an import leaves it: every post waiting for the index, which holds its changes back for
  // a while, so that the walk meets questions the index may not hold yet.
  await sql("INSERT INTO search_outbox (post_id, created_at) SELECT id, unixepoch() FROM posts ORDER BY id");
  server = await startServer({ dataDir: dir, env: { PEERDESK_SEARCH_GATHER_MS: '2000' } });
  reader = new Client(server.url);
  const live = Number(await sql("SELECT count(*) FROM posts WHERE kind = 'question' AND deleted_at IS NULL AND state = 'live'"));
  await eventually(async () => Number(await sql('SELECT count(*) FROM related_questions')) === live || null, `every one of the ${live} live questions to get its list again`, 20000);
  assert.ok((await kept(ids[0])).includes(ids[1]));
  assert.ok((await relatedIds(ids[0])).includes(ids[1]));
  // Deleted questions are not among them.
  assert.equal(await sql("SELECT count(*) FROM related_questions r JOIN posts p ON p.id = r.question_id WHERE p.deleted_at IS NOT NULL OR p.kind <> 'question'"), '0');
});
