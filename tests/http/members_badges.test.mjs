// Members, badges and the leaderboard, against a small community whose every figure is known:
// who answered what, which answers were voted and accepted, and when reputation was earned
// (ledger rows are moved into the past while the server is stopped, then `peerdesk recount`
// folds the leaderboard again). Each figure is checked in the API and on the page.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { startServer, freshDataDir, peerdesk, createAccount, Client, eventually, ask, answer } from '../support/server.mjs';

const run = promisify(execFile);
const password = 'correct horse battery staple';
let dir, server, boss, c = {}, ids = {};

// Runs SQL on the stopped server's database file (python3's sqlite3, as an operator would).
async function sql(statements) {
  const script = 'import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\n' +
    'db.executescript(sys.argv[2])\ndb.commit()\n';
  await run('python3', ['-c', script, join(dir, 'peerdesk.db'), statements]);
}

const day = 86400;
const now = () => Math.floor(Date.now() / 1000);
// The first second of the calendar week (from Monday), month and year holding t, in UTC:
// written here independently of the server's own arithmetic.
function periodStart(period, t) {
  const d = new Date(t * 1000);
  if (period === 'year') return Date.UTC(d.getUTCFullYear(), 0, 1) / 1000;
  if (period === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) / 1000;
  return midnight - ((d.getUTCDay() + 6) % 7) * day;
}

async function signUp(name) {
  const client = new Client(server.url);
  await client.signUp(name, password);
  return client;
}
const vote = async (who, post, value = 1) => assert.equal((await who.api('POST', `/posts/${post}/vote`, { value })).status, 200);
const accept = async (who, a) => assert.equal((await who.api('POST', `/answers/${a}/accept`)).status, 200);
const members = async (query) => {
  const r = await boss.api('GET', `/users${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};
const byName = (list) => Object.fromEntries(list.items.map((m) => [m.username, m]));

// The member worker runs a moment after each write: wait until it has caught up with all of it.
async function settled() {
  await eventually(async () => {
    const all = byName(await members('?pagesize=100'));
    return all.ben?.answers === 4 && all.cai?.answers === 2 && all.fay?.badge_counts.bronze === 2 &&
      all.ben.badge_counts.bronze === 5 && all.ana.badge_counts.bronze === 3;
  }, 'the member worker to count the community');
}

before(async () => {
  dir = await freshDataDir();
  await createAccount(dir, 'boss', 'admin', password);
  // Every member may vote from the start, so the known votes are the only ones.
  for (const key of ['privilege.upvote', 'privilege.downvote']) await peerdesk(['settings', 'set', key, '1', '--data', dir]);
  server = await startServer({ dataDir: dir });
  boss = new Client(server.url);
  await boss.signIn('boss', password);
  for (const name of ['ana', 'ben', 'cai', 'dee', 'eve', 'fay', 'gus']) c[name] = await signUp(name);

  // Q1 (ana, printer): ben's A1 accepted, 5 upvotes; cai's A2, 1 upvote. ben upvotes Q1.
  ids.q1 = await ask(c.ana, 'Printer prints blank pages after a refill', 'Every page comes out blank since I refilled the ink.', ['printer']);
  ids.a1 = await answer(c.ben, ids.q1, 'Run the head cleaning twice, then print a nozzle check.');
  ids.a2 = await answer(c.cai, ids.q1, 'Check that the tape on the new cartridge is removed.');
  for (const v of ['ana', 'dee', 'eve', 'fay', 'gus']) await vote(c[v], ids.a1);
  await vote(c.dee, ids.a2);
  await vote(c.ben, ids.q1);
  await accept(c.ana, ids.a1);
  // Q2 (dee, printer and wifi): ben's A3 accepted, 4 upvotes.
  ids.q2 = await ask(c.dee, 'Printer drops off the wifi every night', 'The printer disappears from the network overnight.', ['printer', 'wifi']);
  ids.a3 = await answer(c.ben, ids.q2, 'Give the printer a fixed address in the router settings.');
  for (const v of ['ana', 'eve', 'fay', 'gus']) await vote(c[v], ids.a3);
  await accept(c.dee, ids.a3);
  // Q3 (eve, scanner): cai's A4 accepted, 1 upvote.
  ids.q3 = await ask(c.eve, 'Scanner makes stripes on every scan', 'Vertical stripes appear on every scanned page.', ['scanner']);
  ids.a4 = await answer(c.cai, ids.q3, 'Clean the glass strip on the left of the flatbed.');
  await vote(c.ana, ids.a4);
  await accept(c.eve, ids.a4);
  // Q4 (ana, scanner): ben's A5, no votes, not accepted: no help counted.
  ids.q4 = await ask(c.ana, 'Scanner software will not start', 'The scan app closes at once after opening.', ['scanner']);
  ids.a5 = await answer(c.ben, ids.q4, 'Reinstall the driver package from the vendor site.');
  // Q5 (fay, printer): ben's A6, 1 upvote: printer now holds 3 of ben's answers, score 5 + 4 + 1.
  ids.q5 = await ask(c.fay, 'Printer asks for a PIN on every job', 'Each job waits for a PIN on the panel.', ['printer']);
  ids.a6 = await answer(c.ben, ids.q5, 'Turn off secure print in the job options.');
  await vote(c.fay, ids.a6);
  await settled();
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('the members list counts answers, accepted answers, top tags, badges and reputation', async () => {
  const all = byName(await members('?pagesize=100'));
  // ben: A1 5×10 + 15, A3 4×10 + 15, A6 10 → 1 + 130.
  assert.deepEqual(
    [all.ben.reputation, all.ben.answers, all.ben.accepted, all.ben.top_tags],
    [131, 4, 2, ['printer', 'wifi', 'scanner']],
  );
  // cai: A2 10, A4 10 + 15 → 1 + 35.
  assert.deepEqual([all.cai.reputation, all.cai.answers, all.cai.accepted, all.cai.top_tags], [36, 2, 1, ['printer', 'scanner']]);
  // ana: Q1 upvoted (10) and accepted an answer (2).
  assert.deepEqual([all.ana.reputation, all.ana.answers, all.ana.questions], [13, 0, 2]);
  // Badges: ben Helper, Solver, Teacher, Supporter and the printer tag's bronze (score 10 over
  // 3 answers);
  // cai Helper, Solver, Teacher; ana Curious, Student, Supporter; dee and eve Curious, Supporter.
  assert.deepEqual(all.ben.badge_counts, { bronze: 5, silver: 0, gold: 0 });
  assert.deepEqual(all.cai.badge_counts, { bronze: 3, silver: 0, gold: 0 });
  assert.deepEqual(all.ana.badge_counts, { bronze: 3, silver: 0, gold: 0 });
  assert.deepEqual(all.dee.badge_counts, { bronze: 2, silver: 0, gold: 0 });
  assert.deepEqual(all.boss.badge_counts, { bronze: 0, silver: 0, gold: 0 });
  // Ordered by reputation, then newest and by name.
  const ranked = (await members('')).items.map((m) => m.username);
  assert.deepEqual(ranked.slice(0, 3), ['ben', 'cai', 'ana']);
  assert.deepEqual((await members('?sort=newest&pagesize=2')).items.map((m) => m.username), ['gus', 'fay']);
  assert.deepEqual((await members('?sort=name&pagesize=3')).items.map((m) => m.username), ['ana', 'ben', 'boss']);
  const found = await members('?q=A');
  assert.deepEqual(found.items.map((m) => m.username).sort(), ['ana', 'cai', 'fay']);
  assert.equal(found.total, 3);

  const r = await boss.request('GET', '/users');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-robots-tag'), 'noindex');
  const card = (name) => {
    const m = new RegExp(`<li class="member-card" data-user="${(c[name] ?? boss).user.id}">([\\s\\S]*?)</li>`).exec(r.text);
    assert.ok(m, `${name} is listed`);
    return m[1];
  };
  assert.match(card('ben'), /class="rep-total"[^>]*>131</);
  assert.match(card('ben'), /<span class="answers">4<\/span> answers, <span class="accepted">2<\/span> accepted/);
  assert.match(card('ben'), /aria-label="0 gold, 0 silver, 5 bronze badges"/);
  assert.match(card('ben'), /href="\/tags\/printer">printer<[\s\S]*href="\/tags\/wifi">wifi<[\s\S]*href="\/tags\/scanner">scanner</);
  assert.match(card('cai'), /class="rep-total"[^>]*>36</);
  assert.doesNotMatch(card('boss'), /medals/, 'no badges, no pips');
});

test('top answerers in a tag are ranked by the score of their answers in it', async () => {
  const printer = await members('?tag=printer');
  assert.deepEqual(printer.items.map((m) => [m.username, m.tag_answers, m.tag_score]), [['ben', 3, 10], ['cai', 1, 1]]);
  assert.deepEqual((await members('?tag=Printer')).items.map((m) => m.username), ['ben', 'cai'], 'as tags are written');
  const scanner = await members('?tag=scanner');
  assert.deepEqual(scanner.items.map((m) => [m.username, m.tag_answers, m.tag_score]), [['cai', 1, 1], ['ben', 1, 0]]);
  const page = await boss.request('GET', '/users?tag=printer');
  assert.match(page.text, /<h1>Top answerers in printer<\/h1>/);
  assert.match(page.text, /score <strong class="tag-score">10<\/strong> over 3 answers/);
  assert.match(page.text, /score <strong class="tag-score">1<\/strong> over 1 answers/);
  assert.doesNotMatch(page.text, new RegExp(`data-user="${c.ana.user.id}"`), 'ana answered nothing');
});

test('badges: the catalogue with holders, each badge\'s page, and a member\'s badges', async () => {
  const list = (await boss.api('GET', '/badges')).body.items;
  assert.ok(list.length >= 25, 'about 25 badges');
  const named = (name, tag) => list.find((b) => b.name === name && b.tag === tag);
  assert.equal(named('Helper').awarded, 2, 'ben and cai answered');
  assert.equal(named('Solver').awarded, 2);
  assert.equal(named('Teacher').awarded, 2);
  assert.equal(named('Curious').awarded, 4, 'ana, dee, eve and fay asked');
  assert.equal(named('Student').awarded, 1, 'only ana\'s question was upvoted');
  assert.equal(named('Supporter').awarded, 6, 'everyone but cai and boss voted up');
  assert.equal(named('Nice Answer').awarded, 0);
  assert.equal(named('printer', 'printer').awarded, 1);
  assert.equal(named('printer', 'printer').class, 'bronze');
  for (const b of list) assert.match(b.class, /^(bronze|silver|gold)$/);
  for (const cls of ['bronze', 'silver', 'gold']) assert.ok(list.some((b) => b.class === cls), `some ${cls} badge`);

  const mine = (await boss.api('GET', `/users/${c.ben.user.id}/badges`)).body.items;
  assert.deepEqual(mine.map((b) => b.badge.name).sort(), ['Helper', 'Solver', 'Supporter', 'Teacher', 'printer']);
  assert.equal(mine.find((b) => b.badge.name === 'Solver').post_id, ids.a1, 'the post that earned it');
  assert.equal(mine.find((b) => b.badge.name === 'printer').badge.tag, 'printer');

  const page = await boss.request('GET', '/badges');
  assert.equal(page.status, 200);
  const row = (name) => new RegExp(`>${name}</a>[\\s\\S]*?<span class="holders">(\\d+)</span>`).exec(page.text)?.[1];
  assert.equal(row('Curious'), '4');
  assert.equal(row('Supporter'), '6');
  assert.equal(row('Nice Answer'), '0');
  assert.match(page.text, /href="\/badges\/15\?tag=printer">printer<\/a> <span class="holders">1<\/span> holder/);

  const student = list.find((b) => b.name === 'Student');
  const holders = await boss.request('GET', `/badges/${student.id}`);
  assert.match(holders.text, /<span class="holders">1<\/span> holder/);
  assert.match(holders.text, new RegExp(`<a href="/users/${c.ana.user.id}">ana</a>`));
  const api = (await boss.api('GET', `/badges/${student.id}`)).body;
  assert.deepEqual(api.items.map((h) => h.user.username), ['ana']);
  assert.equal(api.items[0].post_id, ids.q1);
  assert.equal((await boss.api('GET', '/badges/15')).status, 422, 'a tag badge needs its tag');
  assert.equal((await boss.api('GET', '/badges/15?tag=nope')).status, 404);
  assert.equal((await boss.api('GET', '/badges/999')).status, 404);
  assert.equal((await boss.request('GET', '/badges/999')).status, 404);
});

test('a profile shows badges, top tags, answers and accepted answers, and whom the member helped most', async () => {
  const user = (await boss.api('GET', `/users/${c.ben.user.id}`)).body;
  assert.deepEqual(user.badge_counts, { bronze: 5, silver: 0, gold: 0 });
  assert.deepEqual(user.top_tags.map((t) => [t.name, t.answers, t.score, t.accepted]), [['printer', 3, 10, 2], ['wifi', 1, 4, 1], ['scanner', 1, 0, 0]]);
  // ana (A1 accepted), dee (A3), fay (A6 upvoted); A5 to ana had no votes.
  assert.equal(user.helped, 3);
  assert.deepEqual(user.helped_most.map((h) => [h.username, h.answers]), [['ana', 1], ['dee', 1], ['fay', 1]]);
  assert.deepEqual(user.counts, { questions: 0, answers: 4, accepted_answers: 2 });

  const page = await boss.request('GET', `/users/${c.ben.user.id}`);
  assert.match(page.text, /<dt>Answers<\/dt><dd>4<\/dd>/);
  assert.match(page.text, /<dt>Accepted answers<\/dt><dd>2<\/dd>/);
  assert.match(page.text, /<dt>Members helped<\/dt><dd class="helped-count">3<\/dd>/);
  assert.match(page.text, /aria-label="0 gold, 0 silver, 5 bronze badges"/);
  assert.match(page.text, /href="\/tags\/printer">printer<\/a><\/td><td class="tag-score">10<\/td><td class="tag-answers">3</);
  assert.match(page.text, /href="\/tags\/wifi">wifi<\/a><\/td><td class="tag-score">4<\/td><td class="tag-answers">1</);
  for (const name of ['Helper', 'Solver', 'Supporter', 'Teacher', 'printer']) assert.match(page.text, new RegExp(`<span class="pip" aria-hidden="true"></span>${name}</a>`));
  assert.match(page.text, new RegExp(`<ol class="helped-list"><li><a href="/users/${c.ana.user.id}">ana</a>`));
});

test('a new badge is told in the notifications, once', async () => {
  const inbox = (await c.ben.api('GET', '/notifications')).body.items.filter((n) => n.kind === 'badge');
  assert.deepEqual(inbox.map((n) => n.text).sort(), [
    'You earned the bronze badge for the tag “printer”.',
    'You earned the bronze badge “Helper”.',
    'You earned the bronze badge “Solver”.',
    'You earned the bronze badge “Supporter”.',
    'You earned the bronze badge “Teacher”.',
  ]);
  assert.ok(inbox.every((n) => n.url === `/users/${c.ben.user.id}#badges`));
});

test('bad list parameters are refused with the field named', async () => {
  for (const [query, field] of [['?sort=best', 'sort'], ['?period=decade', 'period'], ['?tag=nosuchtag', 'tag'],
    ['?period=week&sort=name', 'period'], ['?tag=printer&period=week', 'tag'], ['?pagesize=1000', 'pagesize'], ['?q=' + 'x'.repeat(101), 'q']]) {
    const r = await boss.api('GET', `/users${query}`);
    assert.equal(r.status, 422, `${query}: ${r.text}`);
    assert.equal(r.body.error.field, field, query);
  }
  assert.equal((await boss.api('GET', '/users/999999/badges')).status, 404);
  // The page forgives: an unknown tag shows everyone, and says so.
  const page = await boss.request('GET', '/users?tag=nosuchtag&sort=best');
  assert.equal(page.status, 200);
  assert.match(page.text, /There is no tag “nosuchtag”; showing everyone/);
});

test('the leaderboard: reputation gained this week, month and year, after recount folds a moved ledger', async () => {
  // ben's Q2 answer (A3: 4 upvotes and an acceptance, 55) is moved 20 days back and cai's Q3
  // answer (A4: 25) 200 days back; everything else stays now.
  const t = now();
  const tA3 = t - 20 * day, tA4 = t - 200 * day;
  await server.stop({ keepData: true });
  await sql(`UPDATE reputation_events SET created_at = ${tA3} WHERE post_id = ${ids.a3};
             UPDATE reputation_events SET created_at = ${tA4} WHERE post_id = ${ids.a4};`);
  const recount = await peerdesk(['recount', '--data', dir]);
  assert.match(recount.stdout, /recounted the figures and badges of 8 member\(s\)/);
  server = await startServer({ dataDir: dir });
  for (const client of [boss, ...Object.values(c)]) client.base = server.url;

  // The ledger rows the test knows, by member: [delta, time].
  const ledger = {
    ben: [[50 + 15, t], [40 + 15, tA3], [10, t]],
    cai: [[10, t], [10 + 15, tA4]],
    ana: [[10, t], [2, t]],
  };
  for (const period of ['week', 'month', 'year']) {
    const start = periodStart(period, t);
    const expected = Object.entries(ledger)
      .map(([name, rows]) => [name, rows.filter(([, at]) => at >= start).reduce((s, [d]) => s + d, 0)])
      .filter(([, gained]) => gained > 0)
      .sort((a, b) => b[1] - a[1] || c[a[0]].user.id - c[b[0]].user.id);
    const got = (await members(`?period=${period}`)).items.map((m) => [m.username, m.reputation_change]);
    assert.deepEqual(got.filter(([name]) => name in ledger), expected, period);
    const page = await boss.request('GET', `/users?period=${period}`);
    for (const [name, gained] of expected) {
      const card = new RegExp(`data-user="${c[name].user.id}">[\\s\\S]*?<span class="change"[^>]*>\\+${gained} this ${period}</span>`);
      assert.match(page.text, card, `${name} on the ${period}'s page`);
    }
  }
  // The all-time list is unchanged by recount; its change column is this week's gain.
  const all = byName(await members('?pagesize=100'));
  assert.equal(all.ben.reputation, 131);
  assert.equal(all.ben.reputation_change, [[65, t], [55, tA3], [10, t]].filter(([, at]) => at >= periodStart('week', t)).reduce((s, [d]) => s + d, 0));
  // Recount awards nothing twice and tells nobody twice.
  assert.deepEqual(all.ben.badge_counts, { bronze: 5, silver: 0, gold: 0 });
  const told = (await c.ben.api('GET', '/notifications')).body.items.filter((n) => n.kind === 'badge');
  assert.equal(told.length, 5);
});

test('Revival: the first answer to a question unanswered for 60 days, scored 2, earns silver', async () => {
  const t = now();
  const q = await ask(c.gus, 'Scanner lid sensor reports open', 'The scanner thinks the lid is always open.', ['scanner']);
  await server.stop({ keepData: true });
  await sql(`UPDATE posts SET created_at = ${t - 61 * day} WHERE id = ${q};`);
  server = await startServer({ dataDir: dir });
  for (const client of [boss, ...Object.values(c)]) client.base = server.url;
  const a = await answer(c.cai, q, 'Clean the small sensor by the hinge with a dry cloth.');
  await vote(c.gus, a);
  await vote(c.dee, a);
  const revival = await eventually(async () => {
    const items = (await boss.api('GET', `/users/${c.cai.user.id}/badges`)).body.items;
    return items.find((b) => b.badge.name === 'Revival');
  }, 'cai to be awarded Revival');
  assert.equal(revival.badge.class, 'silver');
  assert.equal(revival.post_id, a);
  const all = byName(await members('?pagesize=100'));
  assert.deepEqual(all.cai.badge_counts, { bronze: 3, silver: 1, gold: 0 });
  const page = await boss.request('GET', `/users/${c.cai.user.id}`);
  assert.match(page.text, /aria-label="0 gold, 1 silver, 3 bronze badges"/);
});

test('badge counts stand beside names on the question page, and a new badge shows at once', async () => {
  const anonymous = new Client(server.url);
  const label = (n) => new RegExp(`>ben</a> <span class="rep" title="reputation">[\\d,]+</span> <span class="medals" role="img" aria-label="0 gold, 0 silver, ${n} bronze badges"`);
  const first = await anonymous.request('GET', `/questions/${ids.q1}`);
  assert.match(first.text, label(5));
  assert.match(first.text, /aria-label="0 gold, 0 silver, 3 bronze badges"/, 'ana, the asker');
  // A first edit earns Editor: the page, kept for anonymous readers, follows.
  const edited = await c.ben.api('PATCH', `/answers/${ids.a1}`, { body: 'Run the head cleaning twice, then print a nozzle check page.', summary: 'clearer' });
  assert.equal(edited.status, 200, edited.text);
  await eventually(async () => label(6).test((await anonymous.request('GET', `/questions/${ids.q1}`)).text),
    'the question page to show the new badge');
  await eventually(async () => label(6).test((await c.dee.request('GET', `/questions/${ids.q1}`)).text),
    'a member\'s question page to show it too');
});
