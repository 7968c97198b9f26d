// Long threads: answers 30 a page (the accepted first, then by score), comments folded beyond
// the first five, and every link into a thread (a permalink, ?flag=, ?comment=, ?reply=, the
// redirect after a vote) landing on the page that holds its target.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Client, ask } from '../support/server.mjs';
import { startCommunity } from '../support/community.mjs';
import { sql, metas, jsonLd } from '../support/reach.mjs';

let server, alice, bob, carol, anon, q;
const answers = [];  // in the order posted
let accepted, voted;

before(async () => {
  let clients;
  ({ server, clients } = await startCommunity({ members: ['alice', 'bob', 'carol'] }));
  ({ alice, bob, carol } = clients);
  anon = new Client(server.url);
  await sql(server, `UPDATE users SET reputation = 1000 WHERE id IN (${alice.user.id}, ${carol.user.id})`);
  q = await ask(alice, 'The office printer jams on every second page', 'Every second page jams in the rear tray, whatever paper we use. The rollers were cleaned last week.');
  for (let i = 0; i < 65; i++) {
    const r = await bob.api('POST', `/questions/${q}/answers`, { body: `Answer number ${i}: check the rear tray roller and the paper guide.` });
    assert.equal(r.status, 201, r.text);
    answers.push(r.body.id);
  }
  accepted = answers[50];
  voted = answers[60];
  assert.equal((await alice.api('POST', `/answers/${accepted}/accept`)).status, 200);
  assert.equal((await carol.api('POST', `/posts/${voted}/vote`, { value: 1 })).status, 200);
});
after(async () => {
  await server?.stop();
  assert.deepEqual(server.errors, [], 'the server logged no errors');
});

const slug = 'the-office-printer-jams-on-every-second-page';
const answerIds = (html) => [...html.matchAll(/<section class="post answer[^"]*" id="answer-(\d+)"/g)].map((m) => Number(m[1]));
// Where each answer stands: the accepted, the voted, then the rest oldest first.
const order = () => [accepted, voted, ...answers.filter((a) => a !== accepted && a !== voted)];

test('answers come 30 a page, the accepted first and then by score, with a pager', async () => {
  const pages = [];
  for (const n of [1, 2, 3]) {
    const r = await anon.request('GET', `/questions/${q}/${slug}${n > 1 ? `?page=${n}` : ''}`);
    assert.equal(r.status, 200, `page ${n}`);
    pages.push(r.text);
  }
  assert.deepEqual(pages.map((p) => answerIds(p).length), [30, 30, 5]);
  assert.deepEqual(pages.flatMap(answerIds), order());
  assert.match(pages[0], /<h2 id="answers-heading">65 Answers<\/h2>/);
  assert.match(pages[1], /65 Answers <span class="muted page-of">· page 2 of 3<\/span>/);
  assert.match(pages[0], new RegExp(`<a rel="next" href="/questions/${q}/${slug}\\?page=2">`));
  assert.match(pages[1], new RegExp(`<a rel="prev" href="/questions/${q}/${slug}\\?page=1">`));
  assert.doesNotMatch(pages[2], /rel="next"/);
  // Each page is its own canonical address; only the first carries the structured data.
  assert.equal(metas(pages[1]).canonical, `${server.url}/questions/${q}/${slug}?page=2`);
  assert.equal(metas(pages[1]).title, 'The office printer jams on every second page (page 2) · peerdesk');
  assert.equal(jsonLd(pages[0]).length, 1);
  assert.equal(jsonLd(pages[1]).length, 0);
  assert.equal(jsonLd(pages[0])[0].data.mainEntity.answerCount, 65);
  // The question heads every page.
  for (const p of pages) assert.match(p, /Every second page jams in the rear tray/);
  for (const bad of ['4', '0', '-1', 'abc', '99999999999999999999'])
    assert.equal((await anon.request('GET', `/questions/${q}?page=${bad}`)).status, 404, bad);
});

test('a link to an answer on page 3 lands on page 3; so do ?flag=, ?comment= and the redirect after a vote', async () => {
  const late = order()[62];  // page 3
  const middle = order()[40];  // page 2
  const at = await anon.request('GET', `/a/${late}`);
  assert.equal(at.headers.get('location'), `/questions/${q}/${slug}?page=3#answer-${late}`);
  const landed = await anon.request('GET', at.headers.get('location').split('#')[0]);
  assert.ok(answerIds(landed.text).includes(late));
  assert.equal((await anon.request('GET', `/a/${accepted}`)).headers.get('location'), `/questions/${q}/${slug}#answer-${accepted}`);

  const flag = await carol.request('GET', `/questions/${q}?flag=${late}`);
  assert.equal(flag.status, 200);
  assert.match(flag.text, new RegExp(`<form method="post" action="/posts/${late}/flag" class="flag-form open-form" id="flag-${late}">`));
  assert.match(flag.text, /page 3 of 3/);
  const comment = await carol.request('GET', `/questions/${q}/${slug}?comment=${middle}`);
  assert.match(comment.text, new RegExp(`id="add-comment-${middle}"`));
  assert.match(comment.text, /page 2 of 3/);

  const c = await carol.api('POST', `/posts/${late}/comments`, { body: 'Which tray do you mean exactly here?' });
  assert.equal(c.status, 201);
  const reply = await carol.request('GET', `/questions/${q}?reply=${c.body.id}`);
  assert.match(reply.text, new RegExp(`id="reply-form-${c.body.id}"`));
  assert.equal((await anon.request('GET', `/comments/${c.body.id}`)).headers.get('location'), `/questions/${q}/${slug}?page=3#comment-${c.body.id}`);

  // A vote from the page goes back to the page the answer is on.
  const page = await carol.request('GET', `/questions/${q}/${slug}?page=3`);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)[1];
  const vote = await carol.form(`/posts/${late}/vote`, { csrf_token: csrf, value: '1' });
  assert.equal(vote.status, 303);
  // Its one vote lifts it to second place after the accepted (tied with the voted, older).
  const now = vote.headers.get('location');
  assert.match(now, new RegExp(`^/questions/${q}/${slug}#answer-${late}$`));
  assert.equal((await carol.api('POST', `/posts/${late}/vote`, { value: 0 })).status, 200);
});

test('comments beyond the first five fold behind "show N more", which opens without JavaScript', async () => {
  const target = order()[3];
  const ids = [];
  for (let i = 0; i < 7; i++) {
    const r = await carol.api('POST', `/posts/${target}/comments`, { body: `Comment number ${i} on the answer about the tray.` });
    assert.equal(r.status, 201, r.text);
    ids.push(r.body.id);
  }
  const r1 = await alice.api('POST', `/posts/${target}/comments`, { body: 'A reply to the sixth comment, folded with it.', reply_to: ids[5] });
  assert.equal(r1.status, 201, r1.text);
  const html = (await anon.request('GET', `/questions/${q}`)).text;
  const section = html.slice(html.indexOf(`id="answer-${target}"`), html.indexOf('</section>', html.indexOf(`id="answer-${target}"`)));
  const folded = /<details class="more-comments" data-more-comments>\s*<summary>Show 3 more comments<\/summary>([\s\S]*?)<\/details>/.exec(section);
  assert.ok(folded, 'the rest is folded: two comments and a reply');
  for (const id of ids.slice(0, 5)) {
    assert.ok(section.indexOf(`id="comment-${id}"`) > 0 && section.indexOf(`id="comment-${id}"`) < section.indexOf('<details'), `comment ${id} shown`);
  }
  for (const id of [ids[5], ids[6], r1.body.id]) assert.match(folded[1], new RegExp(`id="comment-${id}"`));
  // A link that opens a form on a folded comment opens the fold too.
  const reply = await carol.request('GET', `/questions/${q}?reply=${ids[6]}`);
  assert.match(reply.text, /<details class="more-comments" data-more-comments open>/);
  assert.match(reply.text, new RegExp(`id="reply-form-${ids[6]}"`));
  // Five or fewer: nothing folded.
  assert.doesNotMatch(section.slice(0, section.indexOf('<details')), /<details/);
});

// The page's bytes as a browser gets them, gzipped.
function gzipped(path) {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('a thread of 1,000 answers with comments: each page stays small, with its structured data', async () => {
  // Made in the database directly, as a community that grew would have it: a thousand answers
  // of real length, each with three comments.
  const big = await ask(alice, 'A thread with a thousand answers about the printer', 'How do we stop the jams for good? ' + 'The rear tray jams often. '.repeat(8));
  const text = 'Check the rear tray, clean the rollers with a dry cloth, and use paper of 80 g/m² or more; the guide must touch the stack. '.repeat(4);
  await sql(server, `
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
    INSERT INTO posts (kind, question_id, author_id, body_markdown, body_html, excerpt, created_at, last_activity_at, score)
    SELECT 'answer', ${big}, ${bob.user.id}, 'Answer ' || i || ': ${text}', '<p>Answer ' || i || ': ${text}</p>', '', 1767225600 + i, 1767225600 + i, i % 7 FROM n;
    INSERT INTO comments (post_id, author_id, body_markdown, body_html, created_at)
    SELECT p.id, ${carol.user.id}, 'Did that work for you with the duplex unit?', '<p>Did that work for you with the duplex unit?</p>', 1767229200
    FROM posts p, (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) WHERE p.question_id = ${big};
    UPDATE posts SET answer_count = 1000 WHERE id = ${big};`);
  const first = await gzipped(`/questions/${big}`);
  assert.equal(first.status, 200);
  assert.equal(first.encoding, 'gzip');
  const html = gunzipSync(first.bytes).toString();
  assert.equal(answerIds(html).length, 30);
  assert.equal(jsonLd(html)[0].data.mainEntity.answerCount, 1000);
  assert.ok(first.bytes.length <= 50 * 1024, `page 1 is ${first.bytes.length} bytes compressed`);
  assert.ok(html.length < 200 * 1024, `page 1 is ${html.length} bytes`);
  const last = await anon.request('GET', `/questions/${big}?page=34`);
  assert.equal(last.status, 200);
  assert.equal(answerIds(last.text).length, 10);
  assert.equal((await anon.request('GET', `/questions/${big}?page=35`)).status, 404);
  const deep = (await anon.request('GET', `/questions/${big}/x?page=20`)).headers.get('location');
  assert.equal(deep, `/questions/${big}/a-thread-with-a-thousand-answers-about-the-printer?page=20`);
});
