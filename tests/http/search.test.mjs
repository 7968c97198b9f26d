// Search over HTTP against the real server, database and Xapian index: filters, sorts,
// snippets, typo tolerance, partial matching, threads as the unit, similar questions, edit and delete visibility, the query log, reindex
// while serving, and the outbox replay after kill -9.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir, eventually } from '../support/server.mjs';

const sqlite = promisify(execFile);


let server, alice, bob, carol, admin;
const ids = {};

async function search(params, client = alice) {
  const r = await client.request('GET', '/api/v1/search?' + new URLSearchParams(params));
  return r;
}
const hitIds = (r) => r.body.items.map((h) => h.post_id);

before(async () => {
  const dir = await freshDataDir();
  await writeFile(join(dir, 'pw'), 'the admin password 1\n');
  await peerdesk(['user', 'create', 'boss', '--email', 'boss@example.com', '--password-file', join(dir, 'pw'), '--role', 'admin', '--data', dir]);
  server = await startServer({ dataDir: dir });
  alice = new Client(server.url);
  bob = new Client(server.url);
  carol = new Client(server.url);
  admin = new Client(server.url);
  await alice.signUp('alice');
  await bob.signUp('bob');
  await carol.signUp('carol');
  await admin.signIn('boss', 'the admin password 1');
  // Bob and carol earn enough reputation to vote: alice accepts and upvotes nothing yet,
  // so the ranking test below sets the scene itself.
  const ask = async (who, title, body, tags) => {
    const r = await who.api('POST', '/questions', { title, body, tags });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  ids.printer = await ask(alice, 'Printer goes offline after every restart', 'The office printer shows **offline** each morning until I reinstall the driver.', ['printing', 'windows']);
  ids.spooler = (await bob.api('POST', `/questions/${ids.printer}/answers`, { body: 'Restart the print spooler service and set it to start automatically.' })).body.id;
  ids.invoice = await ask(bob, 'Export invoices as CSV for the accountant', 'Where is the button to download every invoice at once?', ['billing']);
  ids.vpn = await ask(carol, 'VPN drops every ten minutes on the train', 'My laptop loses the VPN tunnel whenever the mobile network changes.', ['network']);
  ids.html = await ask(carol, 'Angle brackets <script>alert(1)</script> in my synchronisation log', 'The log says <b>unsafe</b> & "quoted" — synchronisation fails with code 7.', ['sync']);
  await eventually(async () => (await search({ q: 'synchronisation' })).body.total === 1, 'the first posts to be indexed');
});

after(async () => {
  await server?.stop();
  await rm(server.dir, { recursive: true, force: true });
  assert.deepEqual(server.errors, [], 'no request made the server log an error');
});

test('finds a question by words of its title and body, with stemming', async () => {
  const r = await search({ q: 'printers restarting' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.items[0].question_id, ids.printer);
  assert.equal(r.body.items[0].title, 'Printer goes offline after every restart');
  assert.equal(r.body.page, 1);
  assert.equal(r.body.pagesize, 30);
  assert.ok(r.body.total >= 1);
});

test('a match in an answer leads to that answer, one hit per thread', async () => {
  const r = await search({ q: 'spooler' });
  assert.equal(r.body.items.length, 1);
  const hit = r.body.items[0];
  assert.equal(hit.post_id, ids.spooler);
  assert.equal(hit.question_id, ids.printer);
  assert.equal(hit.type, 'answer');
  assert.equal(hit.url, `/questions/${ids.printer}#answer-${ids.spooler}`);
  assert.equal(hit.answer_count, 1);
  // Words of the question and of its answer together still find the thread once.
  const both = await search({ q: 'printer spooler' });
  assert.deepEqual(both.body.items.map((h) => h.question_id), [ids.printer]);
});

test('a search says in Server-Timing how long the index and the database took', async () => {
  const r = await search({ q: 'printer' });
  assert.equal(r.status, 200);
  const parts = Object.fromEntries(r.headers.get('server-timing').split(', ').map((p) => {
    const [name, dur] = p.split(';dur=');
    return [name, Number(dur)];
  }));
  assert.deepEqual(Object.keys(parts), ['search', 'db', 'total']);
  assert.equal(r.body.total_exact, true, 'a handful of matches are all counted');
  assert.ok(parts.search >= 0 && parts.db >= 0 && parts.total >= parts.search + parts.db - 0.02, JSON.stringify(parts));
});

test('snippets highlight the matched words and escape everything else', async () => {
  const r = await search({ q: 'synchronisation code' });
  const hit = r.body.items[0];
  assert.equal(hit.question_id, ids.html);
  assert.match(hit.snippet_html, /<mark>synchronisation<\/mark>/);
  assert.match(hit.snippet_html, /<mark>code<\/mark>/);
  assert.match(hit.snippet_html, /&amp;/);
  assert.match(hit.snippet_html, /&quot;quoted&quot;/);
  assert.doesNotMatch(hit.snippet_html.replace(/<\/?mark>/g, ''), /[<>]/, 'only <mark> is markup');
  // The title is plain text in JSON; pages escape it.
  assert.equal(hit.title, 'Angle brackets <script>alert(1)</script> in my synchronisation log');
  const page = await alice.request('GET', '/search?q=synchronisation');
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes('<script>alert(1)'), 'the title is escaped on the page');
  assert.match(page.text, /Angle brackets &lt;script&gt;/);
});

test('phrases, exclusions and boolean operators', async () => {
  assert.deepEqual((await search({ q: '"print spooler"' })).body.items.map((h) => h.question_id), [ids.printer]);
  assert.equal((await search({ q: '"spooler print"' })).body.total, 0, 'a phrase keeps its order');
  assert.equal((await search({ q: 'offline -printer' })).body.total, 0);
  const either = await search({ q: 'invoice OR vpn' });
  assert.deepEqual(new Set(either.body.items.map((h) => h.question_id)), new Set([ids.invoice, ids.vpn]));
  assert.equal((await search({ q: 'invoice AND vpn' })).body.total, 0);
});

test('filters in the query text and as parameters', async () => {
  const tagged = await search({ q: '[billing]' });
  assert.deepEqual(tagged.body.items.map((h) => h.question_id), [ids.invoice]);
  assert.deepEqual((await search({ q: 'every', tag: 'billing' })).body.items.map((h) => h.question_id), [ids.invoice]);
  assert.deepEqual((await search({ q: 'tag:network' })).body.items.map((h) => h.question_id), [ids.vpn]);

  const byCarol = await search({ q: 'user:carol' });
  assert.deepEqual(new Set(byCarol.body.items.map((h) => h.question_id)), new Set([ids.vpn, ids.html]));
  assert.deepEqual(hitIds(await search({ q: 'user:bob is:answer' })), [ids.spooler]);
  assert.deepEqual(hitIds(await search({ q: 'restart is:question' })), [ids.printer]);

  const answered = await search({ q: 'is:answered' });
  assert.deepEqual(answered.body.items.map((h) => h.question_id), [ids.printer]);
  assert.deepEqual((await search({ q: '', answered: 'true' })).body.items.map((h) => h.question_id), [ids.printer]);
  assert.equal(answered.body.query, 'is:answered');

  const wrong = await search({ q: 'printer is:solved' });
  assert.equal(wrong.status, 422);
  assert.equal(wrong.body.error.field, 'q');
  assert.match(wrong.body.error.message, /is:answered, is:accepted, is:question, is:answer or is:idea/);
});

test('a question\'s own hit says answered from its first answer on, and stays so with more', async () => {
  const q = (await alice.api('POST', '/questions', { title: 'Badge printer feeds two labels', body: 'The badge printer feeds two labels at once.', tags: ['printing'] })).body.id;
  const questionHits = async () => hitIds(await search({ q: 'badge labels is:question is:answered' }));
  await eventually(async () => (await search({ q: 'badge labels' })).body.total === 1, 'the question indexed');
  assert.deepEqual(await questionHits(), [], 'not answered yet');
  await bob.api('POST', `/questions/${q}/answers`, { body: 'Calibrate the label sensor from the printer menu.' });
  await eventually(async () => (await questionHits()).length === 1, 'the question re-indexed as answered');
  await carol.api('POST', `/questions/${q}/answers`, { body: 'Also clean the gap sensor of the badge printer.' });
  await eventually(async () => (await search({ q: 'gap sensor' })).body.total === 1, 'the second answer indexed');
  assert.deepEqual(await questionHits(), [q]);
});

// Sorting by votes is tested in promises_search.test.mjs, with posts of known scores.
test('sorts by newest, and refuses a sort it does not know', async () => {
  const newest = await search({ q: 'every OR the OR my OR where', sort: 'newest' });
  const times = newest.body.items.map((h) => h.created_at);
  assert.deepEqual([...times].sort().reverse(), times);
  assert.equal((await search({ q: 'x', sort: 'loudest' })).status, 422);
});

test('an accepted, well-voted thread ranks above an unanswered one with the same words', async () => {
  const title = 'Calendar invitations arrive twice in Outlook';
  const body = 'Every calendar invitation shows up twice in Outlook since Monday.';
  const lonely = (await carol.api('POST', '/questions', { title, body, tags: ['calendar'] })).body.id;
  const helped = (await bob.api('POST', '/questions', { title, body, tags: ['calendar'] })).body.id;
  const answer = (await alice.api('POST', `/questions/${helped}/answers`, { body: 'Remove the second calendar subscription under Accounts.' })).body.id;
  assert.equal((await bob.api('POST', `/answers/${answer}/accept`)).status, 200);
  // The first-posted question wins a tie on BM25 alone; the quality boost must overturn that.
  const r = await eventually(async () => {
    const s = await search({ q: 'calendar invitations twice' });
    return s.body.items.length === 2 && s.body.items[0].accepted ? s : null;
  }, 'the accepted thread to rank first');
  assert.deepEqual(r.body.items.map((h) => h.question_id), [helped, lonely]);
  assert.equal(r.body.items[0].answer_count, 1);
  assert.equal(r.body.items[1].accepted, false);
});

test('a misspelt query finds its thread at once, and the page says what was searched', async () => {
  const r = await search({ q: 'pirnter ofline [windows]' });
  assert.equal(r.status, 200);
  assert.equal(r.body.items[0]?.question_id, ids.printer, r.text);
  assert.equal(r.body.corrected, 'printer offline [windows]');
  assert.equal(r.body.suggestion, undefined, 'nothing to offer: the corrected words were searched');
  // A transposition in a long word counts as one edit.
  const swapped = await search({ q: 'synchronisaiton' });
  assert.deepEqual(swapped.body.items.map((h) => h.question_id), [ids.html]);
  const fine = await search({ q: 'printer offline' });
  assert.equal(fine.body.corrected, undefined, 'no correction when the words are known');
  assert.equal(fine.body.suggestion, undefined);
  const page = await alice.request('GET', '/search?q=pirnter+ofline');
  assert.match(page.text, /Showing results for <strong>printer offline<\/strong>; search instead for <a href="\/search\?q=pirnter%20ofline&amp;exact=1">pirnter ofline<\/a>/);
  assert.match(page.text, /Printer goes offline after every restart/);
  // The words exactly as typed: nothing holds them, and nothing is corrected.
  const exact = await alice.request('GET', '/search?q=pirnter+ofline&exact=1');
  assert.equal(exact.status, 200);
  assert.doesNotMatch(exact.text, /Showing results for/);
  assert.match(exact.text, /Nothing matches yet/);
  assert.match(exact.text, /<input type="hidden" name="exact" value="1">/, 'searching again keeps the words as typed');
  const api = await search({ q: 'pirnter ofline', exact: 'true' });
  assert.equal(api.body.total, 0);
  assert.equal(api.body.corrected, undefined);
  assert.equal((await search({ q: 'printer', exact: 'perhaps' })).status, 422);
  // Quoted, a word keeps its strict meaning.
  const quoted = await search({ q: '"pirnter"' });
  assert.equal(quoted.body.total, 0);
  assert.equal(quoted.body.corrected, undefined);
});

test('words spread over a question and its answer find the thread, with the answer as the hit', async () => {
  const q = await alice.api('POST', '/questions', {
    title: 'Monthly statements for my bookkeeper',
    body: 'I need every statement in a spreadsheet my bookkeeper can open.',
    tags: ['billing'],
  });
  assert.equal(q.status, 201, q.text);
  const a = await bob.api('POST', `/questions/${q.body.id}/answers`, { body: 'Open Billing, choose History, then Download as XLSX.' });
  assert.equal(a.status, 201, a.text);
  // No single post holds all four words: the question has two, the answer the other two.
  await eventually(async () => (await search({ q: 'spreadsheet bookkeeper xlsx history' })).body.items[0]?.post_id === a.body.id, 'the thread to be found by words spread over it');
  const r = await search({ q: 'spreadsheet bookkeeper xlsx history' });
  assert.equal(r.body.items[0].question_id, q.body.id);
  assert.equal(r.body.items[0].type, 'answer');
  // A longer query with one word no post holds still finds the post that has the rest.
  const partial = await search({ q: 'export invoices accountant quarterly' });
  assert.equal(partial.body.items[0]?.question_id, ids.invoice, partial.text);
  // Quotes and +word keep their strict meaning: every word must be in one post.
  assert.equal((await search({ q: '"export" "invoices" "accountant" "quarterly"' })).body.total, 0);
  assert.equal((await search({ q: 'export invoices accountant +quarterly' })).body.total, 0);
  // Editing the question's words reaches its answer too.
  const edit = await alice.api('PATCH', `/questions/${q.body.id}`, { body: 'I need every statement in a workbook my auditor can open.', summary: 'who reads it' });
  assert.equal(edit.status, 200, edit.text);
  await eventually(async () => (await search({ q: 'workbook auditor xlsx history' })).body.items[0]?.post_id === a.body.id, 'the answer to carry the edited question');
});

test('a word written with an apostrophe is found by the part a customer types without it', async () => {
  const q = await carol.api('POST', '/questions', {
    title: 'Scanner doesn\u2019t wake from sleep',
    body: 'The flatbed scanner isn\'t seen by the computer until I unplug it.',
    tags: ['printing'],
  });
  assert.equal(q.status, 201, q.text);
  // "doesn" and "isn", as a customer typing without the apostrophe leaves them.
  await eventually(async () => (await search({ q: 'scanner doesn wake' })).body.items[0]?.question_id === q.body.id, 'the question to be indexed');
  assert.equal((await search({ q: 'flatbed isn seen' })).body.items[0]?.question_id, q.body.id);
  // The word typed whole still finds it, and a phrase with it too.
  assert.equal((await search({ q: "scanner doesn't wake" })).body.items[0]?.question_id, q.body.id);
  assert.equal((await search({ q: '"scanner isn\'t seen"' })).body.items[0]?.question_id, q.body.id);
  const page = await alice.request('GET', '/search?q=' + encodeURIComponent('flatbed isn seen'));
  assert.match(page.text, /Scanner doesn’t wake from sleep/);
});

test('a question with one rare word of its title in common with another has it among its related', async () => {
  const a = await carol.api('POST', '/questions', { title: 'Zebrafish tank heater flickers during thunderstorms', body: 'The heater light flickers on and off whenever a storm passes over.', tags: ['heating'] });
  const b = await carol.api('POST', '/questions', { title: 'Which lamp suits zebrafish best?', body: 'Looking for a lamp that does not stress them at night.', tags: ['lighting'] });
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  await eventually(async () => hitIds(await search({ q: 'zebrafish' })).length >= 2, 'both questions indexed');
  const related = await carol.api('GET', `/questions/${a.body.id}/similar`);
  assert.equal(related.status, 200, related.text);
  assert.ok(related.body.items.some((i) => i.question_id === b.body.id), related.text);
  assert.ok(!related.body.items.some((i) => i.question_id === a.body.id), 'never the question itself');
  assert.match((await carol.request('GET', `/questions/${a.body.id}`)).text, /class="related"[\s\S]*Which lamp suits zebrafish best/);
});

test('two words that no post holds together still give a page: the posts with either', async () => {
  // "restart" is in the printer question, "tunnel" in the VPN one; no post has both.
  const r = await search({ q: 'restart tunnel' });
  assert.equal(r.status, 200);
  const threads = r.body.items.map((h) => h.question_id);
  assert.ok(threads.includes(ids.printer) && threads.includes(ids.vpn), r.text);
  assert.equal(r.body.some_words, true, 'the API says the hits hold only some of the words');
  const page = await alice.request('GET', '/search?q=restart+tunnel');
  assert.match(page.text, /No post holds all these words; these hold some of them\./);
  assert.match(page.text, /VPN drops every ten minutes on the train/);
  // Words found together say nothing of the kind.
  assert.equal((await search({ q: 'vpn tunnel' })).body.some_words, undefined);
  assert.doesNotMatch((await alice.request('GET', '/search?q=vpn+tunnel')).text, /No post holds all these words/);
  // No post answers the search: admins see it among the searches with no hits (a content gap).
  await eventually(async () => (await admin.api('GET', '/admin/searches?no_hits=true')).body.items.some((i) => i.query === 'restart tunnel'), 'the search to be logged as finding nothing');
  // Asked for exactly as typed, or quoted, the words must be together.
  assert.equal((await search({ q: 'restart tunnel', exact: 'true' })).body.total, 0);
  assert.equal((await search({ q: '"restart" "tunnel"' })).body.total, 0);
});

test('did you mean: no suggestion for a word that already finds posts, such as a plural', async () => {
  // The community writes "accountant"; "accountants" finds it by its stem.
  const r = await search({ q: 'accountants' });
  assert.equal(r.status, 200);
  assert.ok(r.body.items.some((h) => h.question_id === ids.invoice), r.text);
  assert.equal(r.body.suggestion, undefined, 'the query found posts for its own words');
  const page = await alice.request('GET', '/search?q=accountants');
  assert.doesNotMatch(page.text, /Did you mean/);
});

test('similar questions while typing a title, and related questions of a thread', async () => {
  const typing = await alice.request('GET', '/api/v1/similar?title=' + encodeURIComponent('my printer is offl'));
  assert.equal(typing.status, 200);
  assert.equal(typing.body.items[0].question_id, ids.printer, 'the unfinished last word still matches');
  assert.equal(typing.body.items[0].url, `/questions/${ids.printer}`);
  const none = await alice.request('GET', '/api/v1/similar?title=' + encodeURIComponent('zebra migration patterns'));
  assert.deepEqual(none.body.items, []);
  assert.equal((await alice.request('GET', '/api/v1/similar')).status, 422);

  const other = (await bob.api('POST', '/questions', { title: 'Printer offline on Windows after an update', body: 'Since the update the printer is offline.', tags: ['printing'] })).body.id;
  const related = await eventually(async () => {
    const r = await alice.request('GET', `/api/v1/questions/${ids.printer}/similar`);
    return r.body.items.some((h) => h.question_id === other) ? r : null;
  }, 'the new question to be related');
  assert.ok(!related.body.items.some((h) => h.question_id === ids.printer), 'a question is not related to itself');
  const page = await alice.request('GET', `/questions/${ids.printer}`);
  assert.match(page.text, /Related questions/);
  assert.ok(page.text.includes(`href="/questions/${other}"`));
  assert.equal((await alice.request('GET', '/api/v1/questions/999999/similar')).status, 404);
});

test('a question page and the API show the related questions kept for it, a later question joins a list with room, and a deleted one drops out (of the API at once)', async () => {
  const ask = async (title) => (await bob.api('POST', '/questions', { title, body: 'The office laminator overheats and stops.', tags: ['hardware'] })).body.id;
  const apiShows = async (id, other) => (await alice.request('GET', `/api/v1/questions/${id}/similar`)).body.items.some((h) => h.question_id === other);
  const shows = async (id, other) => (await alice.request('GET', `/questions/${id}`)).text.includes(`href="/questions/${other}"`);
  const main = await ask('Laminator overheats after ten sheets');
  const first = await ask('Laminator overheats and shuts down');
  // Until the index has the new question, none may be found; the list is kept once it has.
  await eventually(async () => (await apiShows(main, first)) || null, `question ${first} to be related to ${main}`, 25000);
  assert.ok(await shows(main, first), 'the page shows what the API found');
  // Asked since: the main question's list had room, so it is found again in the background.
  const later = await ask('Laminator overheats on thick pouches');
  await eventually(async () => (await apiShows(main, later)) || null, 'the later question to join the main one\'s list', 25000);
  await eventually(async () => (await shows(main, later)) || null, 'the page to show the later question', 6000);
  assert.ok(await shows(main, first));
  await sqlite('sqlite3', ['-cmd', '.timeout 5000', join(server.dir, 'peerdesk.db'),
    `PRAGMA busy_timeout=5000; BEGIN IMMEDIATE; UPDATE posts SET deleted_at = unixepoch() WHERE id = ${first}; ` +
    `INSERT INTO search_outbox (post_id, created_at) VALUES (${first}, unixepoch()); COMMIT;`]);
  assert.ok(!(await apiShows(main, first)), 'a deleted question is gone from the API at once');
  // The page a member reads is kept until the server's next write or for five seconds (as an
  // anonymous page is); a change made behind the server's back, as here, shows within them.
  await eventually(async () => !(await shows(main, first)) || null, 'the deleted question to leave the page', 6000);
});

test('edits show in search results', async () => {
  const r = await alice.api('PATCH', `/questions/${ids.printer}`, { title: 'Printer goes offline after every reboot of the laptop' });
  assert.equal(r.status, 200, r.text);
  // Before the edit is indexed the VPN question (its "laptop") comes for want of both words.
  const found = await eventually(async () => {
    const first = (await search({ q: 'reboot laptop' })).body.items[0];
    return first?.question_id === ids.printer ? first : null;
  }, 'the edited title to be found');
  assert.equal(found.title, 'Printer goes offline after every reboot of the laptop');
  // The answer carries its question's title too.
  assert.ok(hitIds(await search({ q: 'reboot laptop is:answer' })).includes(ids.spooler));
});

test('a deleted post vanishes from results at once, and from the index', async () => {
  const id = (await carol.api('POST', '/questions', { title: 'Scanner makes a grinding noise', body: 'The flatbed scanner grinds loudly.', tags: ['hardware'] })).body.id;
  await eventually(async () => (await search({ q: 'grinding' })).body.total === 1, 'the scanner question');
  // What a moderator's delete writes: the soft delete and its outbox row, in one transaction.
  await sqlite('sqlite3', ['-cmd', '.timeout 5000', join(server.dir, 'peerdesk.db'),
    `PRAGMA busy_timeout=5000; BEGIN IMMEDIATE; UPDATE posts SET deleted_at = unixepoch() WHERE id = ${id}; ` +
    `INSERT INTO search_outbox (post_id, created_at) VALUES (${id}, unixepoch()); COMMIT;`]);
  const at_once = await search({ q: 'grinding' });
  assert.deepEqual(at_once.body.items, [], 'no deleted post is shown, even before the index has caught up');
  await eventually(async () => (await search({ q: 'grinding' })).body.total === 0, 'the index to drop the post');
});

test('queries Xapian rejects, long queries, control characters and odd Unicode never fail', async () => {
  const odd = ['AND', 'OR OR OR', '((((', '"unclosed phrase', 'NOT', '-', '*', 'title:', '[', ']]', 'user:', 'is:',
    'a'.repeat(300), 'printer\u0000\u0007\u001b', '\u202eprinter\u202c', '🖨️ printer', 'ﬁle', 'Ǆ', '\uFEFF', 'tag:' + 'x'.repeat(40),
    '[' + 'y'.repeat(60) + ']', 'x'.repeat(250) + ' printer'];
  for (const q of odd) {
    const r = await search({ q });
    assert.ok(r.status === 200 || r.status === 422, `${JSON.stringify(q)} gave ${r.status}: ${r.text}`);
    if (r.status === 422) assert.ok(r.body.error.message.length > 10);
  }
  assert.equal((await search({ q: 'printer\u0000offline' })).status, 200);
  const long = await search({ q: 'printer '.repeat(70) });
  assert.equal(long.status, 422);
  assert.match(long.body.error.message, /at most 500 characters/);
  const bad = await alice.request('GET', '/api/v1/search?q=%FF%FE');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_encoding');
  assert.equal((await alice.request('GET', '/api/v1/search?q=%ZZ')).status, 400);
  assert.equal((await search({ q: 'printer', page: '50', pagesize: '30' })).status, 422, 'past the 1,000th result');
  assert.equal((await search({ q: 'printer', pagesize: '500' })).status, 422);
  assert.equal((await search({ q: 'printer', answered: 'maybe' })).status, 422);
  // The page shows the message instead of failing.
  const page = await alice.request('GET', '/search?q=' + encodeURIComponent('is:nonsense'));
  assert.equal(page.status, 422);
  assert.match(page.text, /There is no filter is:nonsense/);
});

test('the search page: results, filters as links, sorts and paging', async () => {
  const r = await alice.request('GET', '/search?q=printer');
  assert.equal(r.status, 200);
  assert.match(r.text, /<mark>/);
  assert.match(r.text, /href="\/search\?q=printer%20is%3Aanswered"/, 'a filter is a link that adds it to the query');
  assert.match(r.text, /href="\/search\?q=printer&amp;sort=newest"/);
  const filtered = await alice.request('GET', '/search?q=printer+is%3Aanswered');
  // A link cannot be pressed (aria-pressed is for buttons): the state is said in words.
  assert.match(filtered.text, /class="chip on">Answered<span class="sr-only"> \(on; select to remove\)<\/span>/);
  assert.doesNotMatch(filtered.text, /aria-pressed/);
  const empty = await alice.request('GET', '/search?q=nothingmatchesthis');
  assert.match(empty.text, /ask the community/);
  assert.match(empty.text, /href="\/questions\/ask\?title=nothingmatchesthis"/);
  const blank = await alice.request('GET', '/search');
  assert.equal(blank.status, 200);
  assert.doesNotMatch(blank.text, /results?</);
});

test('members share a result page, each with their own header, and a new post shows up on it', async () => {
  const path = '/search?q=' + encodeURIComponent('quokka enclosure');
  const first = await alice.request('GET', path);
  assert.equal(first.status, 200);
  assert.match(first.text, /No results|ask the community/);
  const shared = await bob.request('GET', path);
  assert.match(shared.text, /class="me" href="\/users\/\d+"[^>]*>bob /, 'the header is the viewer\'s own');
  assert.doesNotMatch(shared.text, />alice </);
  const r = await carol.api('POST', '/questions', { title: 'How do I light the quokka enclosure at night?', body: 'The quokka enclosure lamps stay off after sunset; what switches them on?', tags: ['lighting'] });
  assert.equal(r.status, 201, r.text);
  // A page asked for at once may be kept from before the index took the question in; once the
  // index has it (the API says so), the page must show it too.
  await alice.request('GET', path);
  await eventually(async () => hitIds(await search({ q: 'quokka enclosure' })).includes(r.body.id), 'the index to take in the question');
  assert.match((await alice.request('GET', path)).text, /light the quokka enclosure/);
  assert.match((await bob.request('GET', path)).text, /light the quokka enclosure/);
});

test('every search is logged with its hit count and source; admins list those with no hits', async () => {
  await search({ q: 'how to frobnicate the widget' });
  await alice.request('GET', '/search?q=' + encodeURIComponent('how to frobnicate the widget'));
  await search({ q: 'printer' });
  const log = await eventually(async () => {
    const r = await admin.api('GET', '/admin/searches?no_hits=true');
    return r.body.items.find((i) => i.query === 'how to frobnicate the widget' && i.count === 2) ? r : null;
  }, 'the query log to be written');
  assert.ok(!log.body.items.some((i) => i.query === 'printer'), 'queries with hits are not among the no-hit ones');
  const all = await admin.api('GET', '/admin/searches');
  assert.ok(all.body.items.some((i) => i.query === 'printer'));
  const sources = await sqlite('sqlite3', ['-cmd', '.timeout 5000', join(server.dir, 'peerdesk.db'), "SELECT DISTINCT source FROM search_days WHERE query = 'how to frobnicate the widget' ORDER BY source"]);
  assert.equal(sources.stdout.trim(), 'api\nsite');
  assert.equal((await alice.api('GET', '/admin/searches')).status, 403);
  assert.equal((await new Client(server.url).request('GET', '/api/v1/admin/searches')).status, 401);
});

test('metrics show the index lag and healthz the index state', async () => {
  const m = await alice.request('GET', '/metrics');
  assert.equal(m.status, 200);
  assert.match(m.text, /^peerdesk_search_outbox_length \d+$/m);
  assert.match(m.text, /^peerdesk_search_outbox_oldest_age_seconds \d+$/m);
  assert.match(m.text, /^peerdesk_search_index_usable 1$/m);
  const gauge = (name) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(m.text)?.[1]);
  // SQLite's page caches live in one pool of 40 MiB taken at start: the server has read and
  // written, so it holds pages, within the pool.
  const pool = gauge('peerdesk_sqlite_page_pool_bytes');
  const pooled = gauge('peerdesk_sqlite_page_pool_used_bytes');
  assert.ok(pool > 39 * 1048576 && pool <= 40 * 1048576, `page pool ${pool}`);
  assert.ok(pooled > 100000 && pooled <= pool, `pages in the pool ${pooled}`);
  // The rest of SQLite's memory (statements, schemas) is on the heap, within its 16 MiB.
  const sqlite = gauge('peerdesk_sqlite_memory_bytes');
  assert.ok(sqlite > 10000 && sqlite < 16 * 1048576, `SQLite memory ${sqlite}`);
  const peak = gauge('peerdesk_sqlite_memory_peak_bytes');
  assert.ok(peak >= sqlite, `SQLite's peak ${peak} is at least its use ${sqlite}`);
  // The heap as malloc sees it: in use holds SQLite's share and the pool. Under the address
  // sanitizer (scripts/sanitize) malloc is the sanitizer's, and glibc's figures are all zero.
  if (!process.env.PEERDESK_SANITIZED) {
    const inUse = gauge('peerdesk_heap_in_use_bytes');
    assert.ok(inUse >= sqlite + pool, `heap in use ${inUse} holds SQLite's ${sqlite} and the pool`);
    assert.ok(gauge('peerdesk_heap_free_bytes') >= 0);
    assert.ok(gauge('peerdesk_heap_arena_bytes') > 0);
  }
  const h = await alice.request('GET', '/healthz');
  assert.equal(h.status, 200);
});

test('reindex while serving: searches keep working, the new index takes over, nothing written meanwhile is lost', async () => {
  const before = (await readFile(join(server.dir, 'search', 'CURRENT'), 'utf8')).trim();
  const reindex = peerdesk(['reindex', '--data', server.dir]);
  // Writes and searches while the rebuild runs.
  const during = (await bob.api('POST', '/questions', { title: 'Keyboard backlight flickers during reindex', body: 'The keyboard backlight flickers.', tags: ['hardware'] })).body.id;
  assert.equal((await search({ q: 'printer' })).status, 200);
  const { stdout, stderr } = await reindex;
  assert.match(stdout, /reindexed into index-/);
  assert.match(stderr, /posts/, 'a progress line');
  const after = (await readFile(join(server.dir, 'search', 'CURRENT'), 'utf8')).trim();
  assert.notEqual(after, before);
  await eventually(async () => (await search({ q: 'backlight flickers' })).body.items[0]?.question_id === during, 'the post written during the reindex');
  await eventually(async () => (await search({ q: 'spooler' })).body.total === 1, 'the rebuilt index to answer');
  assert.equal((await search({ q: 'grinding' })).body.total, 0, 'deleted posts stay out of the rebuilt index');
  // Once the server has taken the new index, the rebuild's hold on the outbox ends.
  await eventually(async () => (await sqlite('sqlite3', ['-cmd', '.timeout 5000', join(server.dir, 'peerdesk.db'), 'SELECT count(*) FROM search_state'])).stdout.trim() === '0', 'the rebuild marker to be cleared');
});

test('the outbox an import leaves behind is cleared in the background, without waiting for a write', async (t) => {
  // An import (here peerdesk generate, through the server's store code) queues every post for
  // the index; the reindex after it covers them all. Those rows used to go in one DELETE at the
  // first write after start: at a million posts, 4.9 million rows that held the writer 1.7 s.
  const dir = await freshDataDir();
  await peerdesk(['generate', '--posts', '3000', '--seed', '7', '--data', dir]);
  await peerdesk(['reindex', '--data', dir]);
  const outbox = async () => Number((await sqlite('sqlite3', ['-cmd', '.timeout 5000', join(dir, 'peerdesk.db'), 'SELECT count(*) FROM search_outbox'])).stdout);
  assert.ok(await outbox() > 3000, 'the import queued its posts for the index');
  const s = await startServer({ t, dataDir: dir });
  await eventually(async () => (await outbox()) === 0, 'the covered outbox rows to go', 10000);
  const c = new Client(s.url);
  const r = await c.request('GET', '/api/v1/search?q=sync');
  assert.equal(r.status, 200);
  assert.ok(r.body.total > 0, 'the imported posts are searchable');
  await s.stop();
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(s.errors, []);
});

test('kill -9 at any moment loses nothing: the outbox replays on restart', async (t) => {
  const dir = await freshDataDir();
  // The indexer holds changes for three seconds: the kill certainly comes before it commits.
  let s = await startServer({ t, dataDir: dir, env: { PEERDESK_SEARCH_GATHER_MS: '3000' } });
  const dave = new Client(s.url);
  await dave.signUp('dave');
  const q = (await dave.api('POST', '/questions', { title: 'Crash test question about fans', body: 'The case fans spin loudly all day long.', tags: ['crash'] })).body.id;
  // Answers acknowledged right before the kill: most are not in the index yet.
  const acknowledged = [];
  for (let i = 0; i < 20; i++) {
    const r = await dave.api('POST', `/questions/${q}/answers`, { body: `Answer number ${i} mentions zircon${i}fan.` });
    assert.equal(r.status, 201);
    acknowledged.push(r.body.id);
  }
  s.child.kill('SIGKILL');
  await s.exited;
  const waiting = await sqlite('sqlite3', ['-cmd', '.timeout 5000', join(dir, 'peerdesk.db'), 'SELECT count(*) FROM search_outbox']);
  assert.ok(Number(waiting.stdout) >= 1, 'the kill came before the index had everything, so the restart must replay');
  // While it is down, a post is deleted (a moderator's delete, written by another process).
  const gone = acknowledged[3];
  await sqlite('sqlite3', ['-cmd', '.timeout 5000', join(dir, 'peerdesk.db'),
    `BEGIN IMMEDIATE; UPDATE posts SET deleted_at = unixepoch() WHERE id = ${gone}; INSERT INTO search_outbox (post_id, created_at) VALUES (${gone}, unixepoch()); COMMIT;`]);

  s = await startServer({ t, dataDir: dir });
  const c = new Client(s.url);
  for (let i = 0; i < 20; i++) {
    const r = await eventually(async () => {
      const x = await c.request('GET', '/api/v1/search?q=' + `zircon${i}fan`);
      return i === 3 ? (x.body.total === 0 ? x : null) : (x.body.total === 1 ? x : null);
    }, `answer ${i} after the restart`);
    if (i !== 3) assert.equal(r.body.items[0].post_id, acknowledged[i]);
  }
  const m = await eventually(async () => {
    const r = await c.request('GET', '/metrics');
    return /^peerdesk_search_outbox_length 0$/m.test(r.text) ? r : null;
  }, 'the outbox to drain');
  assert.match(m.text, /^peerdesk_search_index_usable 1$/m, 'the index is usable once it has caught up');
  await s.stop();
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(s.errors, []);
});

test('a damaged index makes healthz 503 and search say so; reindex repairs it without a restart', async (t) => {
  const dir = await freshDataDir();
  let s = await startServer({ t, dataDir: dir });
  const erin = new Client(s.url);
  await erin.signUp('erin');
  await erin.api('POST', '/questions', { title: 'Monitor flickers at 144 Hz', body: 'The new monitor flickers whenever it runs at 144 Hz.', tags: ['display'] });
  await s.stop({ keepData: true });
  const current = (await readFile(join(dir, 'search', 'CURRENT'), 'utf8')).trim();
  for (const f of await readdir(join(dir, 'search', current)))
    if (f.endsWith('.glass') || f === 'iamglass') await writeFile(join(dir, 'search', current, f), 'garbage');

  s = await startServer({ t, dataDir: dir });
  const c = new Client(s.url);
  const health = await c.request('GET', '/healthz');
  assert.equal(health.status, 503);
  assert.match(health.text, /search/);
  const r = await c.request('GET', '/api/v1/search?q=monitor');
  assert.equal(r.status, 503);
  assert.equal(r.body.error.code, 'search_unavailable');
  const page = await c.request('GET', '/search?q=monitor');
  assert.equal(page.status, 503);
  const question = await c.request('GET', '/questions/1');
  assert.equal(question.status, 200, 'threads still show, without related questions');

  await peerdesk(['reindex', '--data', dir]);
  await eventually(async () => (await c.request('GET', '/api/v1/search?q=monitor')).body?.total === 1, 'search to work again');
  await eventually(async () => (await c.request('GET', '/healthz')).status === 200, 'healthz to recover');
  assert.equal(s.errors.filter((e) => /Corrupt/.test(e)).length, 1, 'the damage is logged once, not every second');
  await s.stop();
  await rm(dir, { recursive: true, force: true });
});
