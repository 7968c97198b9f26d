// Insights and advocates over HTTP, on a small community whose figures are known: questions
// asked at set times and answered after 30 minutes, 2 hours and 30 hours; a staff answer; an
// accepted answer; up-votes; a question deleted by a moderator (it must be forgotten); searches
// without results on the search page, through the API and in the widget; widget clicks reported
// by the beacon. Times are set in the database and `peerdesk recount` rebuilds the counts; then
// live writes keep them, and a second recount finds nothing to correct.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { startServer, Client, peerdesk, freshDataDir, createAccount, eventually } from '../support/server.mjs';
import { chartMarks, tableOf, figure } from '../support/insights.mjs';

const run = promisify(execFile);
const sql = (dir, statement) => run('sqlite3', ['-cmd', '.timeout 5000', join(dir, 'peerdesk.db'), statement]);

const dayMs = 86400 * 1000;
const today = Math.floor(Date.now() / dayMs);
const dayText = (d) => new Date(d * dayMs).toISOString().slice(0, 10);
const D = today - 2;                 // the day the community's questions were asked
const base = D * 86400 + 3600;       // 01:00 UTC that day
const allowed = 'https://help.example.com';

let dir, server, boss, mod, ann, ben, cat, dan, anon, ids = {}, key;

async function restart() {
  await server?.stop();
  server = await startServer({ dataDir: dir });
  for (const c of [boss, mod, ann, ben, cat, dan, anon]) c.base = server.url;
}

before(async () => {
  dir = await freshDataDir();
  await createAccount(dir, 'boss', 'admin');
  await createAccount(dir, 'mod', 'moderator');
  await peerdesk(['settings', 'set', 'privilege.upvote', '0', '--data', dir]);
  server = await startServer({ dataDir: dir });
  boss = new Client(server.url);
  mod = new Client(server.url);
  await boss.signIn('boss');
  await mod.signIn('mod');
  [ann, ben, cat, dan] = [new Client(server.url), new Client(server.url), new Client(server.url), new Client(server.url)];
  anon = new Client(server.url);
  for (const [c, n] of [[ann, 'ann'], [ben, 'ben'], [cat, 'cat'], [dan, 'dan']]) await c.signUp(n);

  const ask = async (who, title, tag) => {
    const r = await who.api('POST', '/questions', { title, body: 'The details of this question, long enough to post.', tags: [tag] });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  const answer = async (who, q) => {
    const r = await who.api('POST', `/questions/${q}/answers`, { body: 'An answer that is long enough to post here.' });
    assert.equal(r.status, 201, r.text);
    return r.body.id;
  };
  ids.q1 = await ask(ann, 'Printer prints blank pages after the update', 'printer');
  ids.q2 = await ask(ann, 'Printer driver missing on the new laptop', 'printer');
  ids.q3 = await ask(cat, 'Invoice charged twice this month', 'billing');
  ids.q4 = await ask(dan, 'Refund for the cancelled plan never arrived', 'billing');
  ids.q6 = await ask(ben, 'Router lights blink orange all night', 'network');
  ids.q7 = await ask(dan, 'Old billing address still on the invoice', 'billing');
  ids.a1 = await answer(ben, ids.q1);
  ids.a1b = await answer(cat, ids.q1);
  ids.a2 = await answer(ben, ids.q2);
  ids.a3 = await answer(mod, ids.q3);
  ids.a6 = await answer(ann, ids.q6);
  ids.q8 = await ask(ann, 'Scanner skips every other page', 'printer');
  ids.a8 = await answer(dan, ids.q8);
  assert.equal((await ann.api('POST', `/answers/${ids.a1}/accept`)).status, 200);
  assert.equal((await cat.api('POST', `/posts/${ids.a1}/vote`, { value: 1 })).status, 200);
  assert.equal((await dan.api('POST', `/posts/${ids.a2}/vote`, { value: 1 })).status, 200);
  // A moderator removes a thread: its question, answer and tie must leave every figure.
  assert.equal((await mod.api('DELETE', `/posts/${ids.q6}`)).status, 204);
  key = (await boss.api('POST', '/admin/widget-keys', { name: 'Help center', allowed_origins: [allowed] })).body;
  await server.stop();

  // The times the figures are known by: first answers after 30 min, 2 h and 30 h; q7 asked 40
  // days ago (outside the default 30 days, unanswered).
  const at = {
    [ids.q1]: base, [ids.a1]: base + 1800, [ids.a1b]: base + 7200,
    [ids.q2]: base + 600, [ids.a2]: base + 600 + 7200,
    [ids.q3]: base + 1200, [ids.a3]: base + 1200 + 30 * 3600,
    [ids.q4]: base + 1800, [ids.q6]: base + 2400, [ids.a6]: base + 2500,
    [ids.q7]: base - 38 * 86400,
    // dan helped ann a hundred days ago: a tie of the past, outside the default 30 days.
    [ids.q8]: base - 100 * 86400, [ids.a8]: base - 100 * 86400 + 3600,
  };
  for (const [id, t] of Object.entries(at)) await sql(dir, `UPDATE posts SET created_at = ${t} WHERE id = ${id}`);
  await sql(dir, `UPDATE votes SET created_at = ${base + 9000}`);
  const { stdout } = await peerdesk(['recount', '--data', dir]);
  assert.match(stdout, /rebuilt the insights' counts; [1-9]\d* row\(s\) corrected/, 'the moved times changed the counts');
  await restart();

  // Searches: one that finds nothing three times (page, API twice), in the widget once more
  // with other spaces and capitals; one that finds something; a formula-like one for the CSV.
  await eventually(async () => (await anon.api('GET', '/search?q=printer')).body?.total >= 2, 'the questions to be indexed');
  for (const path of ['/search?q=toner%20smudge', '/api/v1/search?q=Toner+Smudge', '/api/v1/search?q=toner+smudge', '/api/v1/search?q=%3DHYPERLINK(1)'])
    assert.equal((await anon.request('GET', path)).status, 200, path);
  const widget = (q) => anon.request('GET', `/api/v1/widget/search?key=${key.key}&q=${encodeURIComponent(q)}`, { headers: { origin: allowed } });
  assert.equal((await widget('TONER   smudge')).body.total, 0);
  const hits = (await widget('printer')).body;
  assert.ok(hits.total >= 2, JSON.stringify(hits));
  assert.match(hits.items[0].url, /^\/questions\/\d+/, 'results lead straight to the thread');
  const click = (body, origin = allowed) => anon.request('POST', `/api/v1/widget/clicks?key=${key.key}`, {
    body: typeof body === 'string' ? body : JSON.stringify(body), headers: origin ? { origin } : {},
  });
  const c1 = await click({ q: 'printer', question_id: ids.q1 });
  assert.equal(c1.status, 204, c1.text);
  assert.equal(c1.headers.get('access-control-allow-origin'), allowed);
  assert.equal((await click({ q: 'printer', question_id: ids.q4 })).status, 204);
  await eventually(async () => (await boss.api('GET', '/admin/insights')).body.widget.clicks === 2, 'the clicks to be logged');
});

after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(server.errors, []);
});

test('the API answers every figure of the known community', async () => {
  const r = await boss.api('GET', '/admin/insights');
  assert.equal(r.status, 200, r.text);
  const b = r.body;
  assert.equal(b.from, dayText(today - 29));
  assert.equal(b.to, dayText(today));
  assert.equal(b.questions, 4, 'q1 to q4: the deleted one and the one asked 40 days ago are not counted');
  assert.equal(b.answers, 4, 'ben twice, cat, mod; the deleted thread\'s answer is not');
  assert.deepEqual(b.time_to_first_answer, { p50_s: 7200, p90_s: 30 * 3600 });
  assert.equal(b.answered_within_24h, 0.5);
  assert.equal(b.accepted_rate, 0.25);
  assert.equal(b.peer_answer_share, 0.75);
  assert.equal(b.unanswered, 2);
  assert.deepEqual(b.unanswered_by_age.map((a) => a.questions), [0, 1, 0, 1]);
  const day = b.days.find((d) => d.day === dayText(D));
  assert.deepEqual(day, { day: dayText(D), questions: 4, answers: 3, answered_within_24h: 2, accepted: 1, staff_answers: 0 });
  assert.equal(b.days.find((d) => d.day === dayText(D + 1)).staff_answers, 1, 'the 30-hour answer counts on its own day');
  assert.equal(b.days.length, 30);

  assert.deepEqual(b.top_contributors.map((m) => [m.username, m.answers, m.accepted, m.upvotes]),
    [['ben', 2, 1, 2], ['cat', 1, 0, 0], ['mod', 1, 0, 0]]);
  assert.deepEqual(b.rising_contributors.map((m) => [m.username, m.growth, m.top_tags]), [['ben', 3, ['printer']]]);
  assert.deepEqual(b.helps.map((h) => [h.helper.username, h.helped.username, h.count, h.accepted, h.tags]),
    [['ben', 'ann', 2, 1, ['printer']], ['cat', 'ann', 1, 0, ['printer']], ['mod', 'cat', 1, 0, ['billing']]]);
  const month = b.participation.at(-1).month === dayText(D).slice(0, 7) ? b.participation.at(-1) : b.participation.at(-2);
  assert.deepEqual(month, { month: dayText(D).slice(0, 7), answerers: 3, answers: 4, top1: 2, next9: 0, rest: 2 });

  assert.deepEqual(b.tags.busiest.map((t) => [t.tag, t.questions]), [['billing', 2], ['printer', 2]]);
  assert.deepEqual(b.tags.growing.map((t) => [t.tag, t.questions, t.before]), [['printer', 2, 0], ['billing', 2, 1]]);

  const gap = b.content_gaps.find((g) => g.query === 'toner smudge');
  assert.deepEqual({ ...gap, last_at: undefined }, {
    query: 'toner smudge', count: 4, widget: 1, before: 0, trend: 'new', last_at: undefined,
    ask_url: '/questions/ask?title=toner%20smudge', idea_url: '/ideas/new?title=toner%20smudge',
  });
  assert.equal(b.content_gaps[0].query, 'toner smudge', 'the most searched gap first');
  assert.ok(!b.content_gaps.some((g) => g.query === 'printer'), 'a search with results is no gap');
  // "Make it an idea" opens the proposal form with the customers' words as its title.
  const form = await mod.request('GET', gap.idea_url);
  assert.equal(form.status, 200);
  assert.match(form.text, /value="toner smudge"/);
  assert.deepEqual(b.searches.site, { searches: 1, no_results: 1 });
  assert.equal(b.searches.api.no_results, 3, 'the API\'s searches without results (the wait for the index searched too)');
  assert.deepEqual({ ...b.widget, days: undefined }, { searches: 2, clicks: 2, deflected: 1, no_results: 1, deflection_rate: 0.5, days: undefined });
});

test('the pages show the same figures, each chart holds its table\'s numbers, and each table downloads', async () => {
  const page = await mod.request('GET', '/admin/insights');
  assert.equal(page.status, 200);
  const html = page.text;
  assert.equal(figure(html, 'fig-questions'), '4');
  assert.equal(figure(html, 'fig-answers'), '4');
  assert.equal(figure(html, 'fig-p50'), '2 h');
  assert.equal(figure(html, 'fig-p90'), '1 d 6 h');
  assert.equal(figure(html, 'fig-24h'), '50 %');
  assert.equal(figure(html, 'fig-accepted'), '25 %');
  assert.equal(figure(html, 'fig-peers'), '75 %');
  assert.equal(figure(html, 'fig-unanswered'), '2');
  assert.equal(figure(html, 'fig-widget-searches'), '2');
  assert.equal(figure(html, 'fig-widget-clicks'), '2');
  assert.equal(figure(html, 'fig-deflection'), '50 %');
  const gaps = tableOf(html, 'gaps-table');
  assert.deepEqual(gaps.rows[0].slice(0, 5), ['toner smudge', '4', '1', '0', 'new']);
  assert.ok(html.includes('href="/questions/ask?title=toner%20smudge"'), 'ask this');
  assert.ok(html.includes('href="/ideas/new?title=toner%20smudge"'), 'make it an idea');

  const advocates = await boss.request('GET', '/admin/advocates');
  assert.equal(advocates.status, 200);
  assert.deepEqual(tableOf(advocates.text, 'rising-table').rows, [['ben', '2', '1', '2', '0', '+3', 'printer']]);
  assert.deepEqual(tableOf(advocates.text, 'top-table').rows[0], ['ben', '2', '1', '2', 'printer']);
  assert.deepEqual(tableOf(advocates.text, 'helps-table').rows,
    [['ben', 'ann', '2', '1', 'printer'], ['cat', 'ann', '1', '0', 'printer'], ['mod', 'cat', '1', '0', 'billing']]);

  let charts = 0;
  for (const doc of [html, advocates.text]) {
    for (const chart of chartMarks(doc)) {
      charts++;
      assert.ok(chart.title && chart.desc, `${chart.id} has a title and a description`);
      const t = tableOf(doc, chart.table);
      assert.ok(chart.marks.length > 0, chart.id);
      for (const m of chart.marks) {
        let row;
        if (chart.id === 'helps-chart') {
          const [helper, helped] = m.label.split(' → ');
          row = t.rows.find((r) => r[0] === helper && r[1] === helped);
        } else {
          row = t.rows.find((r) => r[0] === m.label);
        }
        assert.ok(row, `${chart.id}: a row for ${m.label}`);
        assert.equal(row[t.columns.indexOf(m.series)], String(m.value), `${chart.id}: ${m.label} / ${m.series}`);
      }
      // Every row of the table is drawn, and nothing else is.
      const series = new Set(chart.marks.map((m) => m.series));
      assert.equal(chart.marks.length, t.rows.length * series.size, `${chart.id}: one mark per row and series`);
    }
  }
  assert.equal(charts, 6, 'four charts on the community page, two on the advocates page');

  const csv = await boss.request('GET', `/admin/insights/csv/daily?from=${dayText(D)}&to=${dayText(D + 1)}`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /attachment; filename="insights-daily-/);
  assert.equal(csv.text, 'Day,Questions,Answers,Answered within 24 h,Accepted,Answers by staff\r\n' +
    `${dayText(D)},4,3,2,1,0\r\n${dayText(D + 1)},0,1,0,0,1\r\n`);
  const gapsCsv = (await boss.request('GET', '/admin/insights/csv/gaps')).text;
  assert.ok(gapsCsv.includes('\r\ntoner smudge,4,1,0,new\r\n'), gapsCsv);
  assert.ok(gapsCsv.includes("\r\n'=hyperlink(1),1,0,0,new\r\n"), 'a formula is never run by a spreadsheet');
  const helps = (await boss.request('GET', '/admin/insights/csv/helps')).text;
  assert.equal(helps.split('\r\n')[1], 'ben,ann,2,1,printer');
  assert.equal((await boss.request('GET', '/admin/insights/csv/nothing')).status, 404);
});

test('members are refused, visitors are sent to sign in, bad dates are named', async () => {
  assert.equal((await ann.api('GET', '/admin/insights')).status, 403);
  assert.equal((await anon.api('GET', '/admin/insights')).status, 401);
  for (const path of ['/admin/insights', '/admin/advocates', '/admin/insights/csv/daily']) {
    assert.equal((await ann.request('GET', path)).status, 403, path);
    const r = await anon.request('GET', path);
    assert.ok([302, 303].includes(r.status), path);
    assert.match(r.headers.get('location'), /^\/signin\?next=/);
  }
  const cases = [
    ['from=2026-02-30', 'from'], ['to=yesterday', 'to'], ['from=2026-12-10&to=2026-12-01', 'from'],
    ['from=2024-01-01&to=2026-01-01', 'from'], ['to=2026-13-01', 'to'],
  ];
  for (const [q, field] of cases) {
    const r = await boss.api('GET', '/admin/insights?' + q);
    assert.equal(r.status, 422, q);
    assert.equal(r.body.error.field, field, q);
    assert.match(r.body.error.message, new RegExp(field));
    const p = await boss.request('GET', '/admin/insights?' + q);
    assert.equal(p.status, 422, q);
    assert.ok(p.text.includes('role="alert"'), 'the page says what to fix');
  }
  // Who helps whom follows the dates (by calendar month): the old tie only in a range holding it.
  const helps = async (q) => (await boss.api('GET', '/admin/insights?' + q)).body.helps.map((h) => [h.helper.username, h.helped.username, h.count]);
  assert.deepEqual(await helps(`from=${dayText(D - 110)}&to=${dayText(D - 90)}`), [['dan', 'ann', 1]]);
  assert.ok(!(await helps('')).some(([helper]) => helper === 'dan'), 'not in the last 30 days');
  const page = await boss.request('GET', `/admin/advocates?from=${dayText(D - 110)}&to=${dayText(D - 90)}`);
  assert.deepEqual(tableOf(page.text, 'helps-table').rows, [['dan', 'ann', '1', '0', 'printer']]);
  const narrow = await boss.api('GET', `/admin/insights?from=${dayText(D + 1)}&to=${dayText(D + 1)}`);
  assert.equal(narrow.body.questions, 0);
  assert.equal(narrow.body.answers, 1);
});

test('the click beacon answers only the key\'s sites, for live questions, in small bodies', async () => {
  const click = (body, origin = allowed, k = key.key) => anon.request('POST', `/api/v1/widget/clicks?key=${k}`, {
    body: typeof body === 'string' ? body : JSON.stringify(body), headers: origin ? { origin } : {},
  });
  assert.equal((await click({ question_id: ids.q1 }, 'https://evil.example')).status, 403);
  assert.equal((await click({ question_id: ids.q1 }, null)).status, 403);
  assert.equal((await click({ question_id: ids.q1 }, allowed, 'pk_unknown')).status, 403);
  assert.equal((await click({ question_id: ids.q6 })).status, 404, 'a deleted question');
  assert.equal((await click({ question_id: 'x' })).status, 422);
  assert.equal((await click('not json')).status, 400);
  assert.equal((await click({ q: 'x'.repeat(2000), question_id: ids.q1 })).status, 413);
});

test('admins forget a logged search on every day; moderators may not', async () => {
  assert.equal((await mod.api('POST', '/admin/searches/forget', { query: 'dark mode' })).status, 403);
  assert.equal((await boss.api('POST', '/admin/searches/forget', {})).status, 422);
  const page = await boss.request('GET', '/admin/insights');
  assert.ok(page.text.includes('name="query" value="=hyperlink(1)"'), 'a Forget button for admins');
  assert.ok(!(await mod.request('GET', '/admin/insights')).text.includes('action="/admin/insights/forget"'), 'none for moderators');
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)[1];
  const r = await boss.form('/admin/insights/forget', { csrf_token: csrf, query: '=hyperlink(1)', from: dayText(D), to: dayText(today) });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), `/admin/insights?forgotten=1&from=${dayText(D)}&to=${dayText(today)}`);
  assert.ok(!(await boss.api('GET', '/admin/insights')).body.content_gaps.some((g) => g.query === '=hyperlink(1)'));
  const api = await boss.api('POST', '/admin/searches/forget', { query: '  TONER smudge ' });
  assert.deepEqual(api.body, { query: 'toner smudge', forgotten: 3 });
  const b = (await boss.api('GET', '/admin/insights')).body;
  assert.equal(b.content_gaps.length, 0);
  assert.equal(b.searches.api.no_results, 3, 'the day\'s totals, which hold no text, stay');
});

test('live writes keep the counts: a new answer, a deletion, a retag; recount finds nothing to correct', async () => {
  const before = (await boss.api('GET', '/admin/insights')).body;
  const a4 = (await cat.api('POST', `/questions/${ids.q4}/answers`, { body: 'Refunds take ten days; ask billing for the reference.' })).body.id;
  const after1 = (await boss.api('GET', '/admin/insights')).body;
  assert.equal(after1.answers, before.answers + 1);
  assert.equal(after1.unanswered, before.unanswered - 1);
  assert.ok(after1.helps.some((h) => h.helper.username === 'cat' && h.helped.username === 'dan'));
  assert.equal((await mod.api('DELETE', `/posts/${ids.a1b}`)).status, 204);
  const after2 = (await boss.api('GET', '/admin/insights')).body;
  assert.equal(after2.answers, after1.answers - 1);
  assert.ok(!after2.helps.some((h) => h.helper.username === 'cat' && h.helped.username === 'ann'), 'the deleted answer\'s tie is gone');
  assert.equal((await ann.api('PATCH', `/questions/${ids.q2}`, { tags: ['drivers'] })).status, 200);
  assert.equal((await ben.api('POST', `/posts/${a4}/vote`, { value: 1 })).status, 200);
  assert.equal((await ann.api('DELETE', `/answers/${ids.a1}/accept`)).status, 200);
  const after3 = (await boss.api('GET', '/admin/insights')).body;
  assert.ok(after3.tags.busiest.some((t) => t.tag === 'drivers'));
  assert.equal(after3.accepted_rate, 0);
  await server.stop();
  const { stdout } = await peerdesk(['recount', '--data', dir]);
  assert.match(stdout, /rebuilt the insights' counts; 0 row\(s\) corrected/);
  await restart();
});
