// The Markdown renderer against the CommonMark spec examples (how many pass, and that none
// lets raw HTML or a script URL through) and against cmark's known pathological inputs at the
// largest post size: each renders quickly or is refused, and other readers are not held up.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFile, writeFile } from 'node:fs/promises';
import { startServer, Client } from '../support/server.mjs';
import { injectedMarkup, full } from './naughty.mjs';

const require = createRequire(import.meta.url);
const knownFile = new URL('./commonmark-known-failures.json', import.meta.url);
const spec = require('commonmark-spec');
let server, author, questionPath;

// Printed for scripts/harden's summary table.
const figure = (name, value, goal, met) => console.log(`harden-figure ${JSON.stringify({ name, value, goal, met })}`);

before(async () => {
  server = await startServer();
  author = new Client(server.url);
  await author.signUp('author');
  const q = await author.api('POST', '/questions', { title: 'A question for readers to load', body: 'Some body text with `code` and *emphasis*.', tags: ['x'] });
  questionPath = `/questions/${q.body.id}`;
  for (let i = 0; i < 10; i++) await author.api('POST', `/questions/${q.body.id}/answers`, { body: `Answer ${i} with **bold** text and a [link](https://example.com/${i}).` });
});
after(async () => {
  await server?.stop();
  assert.deepEqual(server.errors, []);
});

const allowedTags = new Set(['p', 'em', 'strong', 'a', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'br', 'img']);

// What the spec expects, minus what peerdesk changes on purpose: links carry rel attributes,
// and raw HTML is left out (cmark's safe mode writes a comment in its place).
const normalize = (html) => html.replace(/ rel="nofollow ugc noopener"/g, '').replace(/<!-- raw HTML omitted -->/g, '').replace(/\n+/g, '\n').trim();

test('CommonMark spec examples: the pass count, and no raw HTML or unsafe URL in any output', async () => {
  let passed = 0;
  const unsafe = [];
  const failing = [];
  const tests = spec.tests.map((t) => ({ ...t, markdown: t.markdown.replace(/→/g, '\t'), html: t.html.replace(/→/g, '\t') }));
  for (const t of tests) {
    const r = await author.api('POST', '/preview', { body: t.markdown });
    assert.ok(r.status === 200 || r.status === 422, `example ${t.number}: ${r.status}`);
    if (r.status !== 200) continue;
    const html = r.body.body_html;
    if (normalize(html) === normalize(t.html)) passed++;
    else failing.push(t.number);
    for (const tag of html.match(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g) || []) {
      const name = tag.replace(/^<\/?/, '').toLowerCase();
      if (!allowedTags.has(name)) unsafe.push(`example ${t.number}: <${name}> in ${html.slice(0, 120)}`);
    }
    for (const f of injectedMarkup(html)) unsafe.push(`example ${t.number}: ${f}`);
    for (const m of html.matchAll(/(?:href|src)="([^"]*)"/g))
      if (!/^(https?:|mailto:|\/|#|\?|[^:]*$)/i.test(m[1])) unsafe.push(`example ${t.number}: URL ${m[1]}`);
  }
  const withoutHtml = tests.filter((t) => !/<[a-zA-Z!?\/]/.test(t.markdown) && !/^(HTML blocks|Raw HTML)$/.test(t.section));
  console.log(`commonmark: ${passed} of ${tests.length} spec examples render as the spec says (raw HTML is dropped on purpose; ${withoutHtml.length} examples hold none)`);
  figure('CommonMark spec examples passed', `${passed} / ${tests.length}`, 'reported', true);
  figure('spec outputs with raw HTML or unsafe URLs', String(unsafe.length), '0', unsafe.length === 0);
  assert.deepEqual(unsafe, []);
  // The examples that differ are known one by one (raw HTML dropped, images as links, cmark
  // 0.30 against a newer spec): a new difference fails, and so does a fixed one, until the list
  // (tests/harden/commonmark-known-failures.json) is brought up to date.
  if (process.env.PEERDESK_WRITE_KNOWN_FAILURES) await writeFile(knownFile, JSON.stringify(failing) + '\n');
  const known = JSON.parse(await readFile(knownFile, 'utf8'));
  assert.deepEqual(failing.filter((n) => !known.includes(n)), [], 'examples that passed before and fail now');
  assert.deepEqual(known.filter((n) => !failing.includes(n)), [], 'examples that pass now: remove them from the known list');
});

// cmark's own pathological cases (its test/pathological_tests.py), sized to the largest post.
const max = 30000;
const fill = (unit, extra = '') => unit.repeat(Math.floor((max - extra.length) / unit.length)) + extra;
const pathological = {
  'nested strong emphasis': '*a **a '.repeat(2000) + 'b' + ' a** a*'.repeat(2000),
  'emphasis closers without openers': fill('a_ '),
  'emphasis openers without closers': fill('_a '),
  'link closers without openers': fill('a]'),
  'link openers without closers': fill('[a'),
  'mismatched openers and closers': fill('*a_ '),
  'openers and closers, multiples of 3': 'a**b' + fill('c* ', 'a**b'),
  'link openers and emphasis closers': fill('[ a_'),
  '[ (]( repeated': fill('[ (]('),
  'nested brackets': '['.repeat(max / 2 - 1) + 'a' + ']'.repeat(max / 2 - 1),
  'nested block quotes': '> '.repeat(max / 2 - 1) + 'a',
  'deeply nested lists': Array.from({ length: 120 }, (_, i) => '  '.repeat(i) + '* a\n').join(''),
  'U+0000 in input': fill('abc\u0000de\u0000'),
  'backticks': Array.from({ length: 240 }, (_, i) => 'e' + '`'.repeat(i + 1)).join(''),
  'unclosed links A': fill('[a](<b'),
  'unclosed links B': fill('[a](b'),
  'unclosed <!--': '</' + fill('<!--', '</'),
  'many link references': Array.from({ length: 1500 }, (_, i) => `[${i}]: u\n`).join('') + '[0] '.repeat(2000),
  'reference definitions, one label': fill('[a]: b\n') ,
  'nested inline links': '[a]('.repeat(4000) + 'b' + ')'.repeat(4000),
  'emphasis runs': fill('*_'),
  'deep list of quotes': '> * '.repeat(7000) + 'a',
  'tabs and spaces': fill('\t \t  -'),
  'entities': fill('&amp;&#x1F600;&#9999999;'),
};

async function median(fn, n) {
  const times = [];
  for (let i = 0; i < n; i++) times.push(await fn());
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)];
}

test('cmark\'s pathological inputs at the largest post size render fast or are refused', async () => {
  const results = [];
  for (const [name, body] of Object.entries(pathological)) {
    const started = performance.now();
    const r = await author.api('POST', '/preview', { body: body.slice(0, max) });
    const ms = performance.now() - started;
    assert.ok(r.status === 200 || r.status === 422, `${name}: ${r.status} ${r.text.slice(0, 100)}`);
    if (r.status === 422) assert.match(r.body.error.message, /\w/, 'the refusal says what to change');
    results.push({ name, ms, status: r.status });
  }
  const slowest = results.reduce((a, b) => (a.ms > b.ms ? a : b));
  for (const r of results) console.log(`pathological: ${r.name.padEnd(40)} ${r.status === 200 ? 'rendered' : 'refused '} in ${r.ms.toFixed(1)} ms`);
  figure('slowest pathological Markdown input', `${slowest.ms.toFixed(1)} ms (${slowest.name})`, '≤ 100 ms or refused', slowest.ms <= 100);
  // A quadratic case takes seconds; the bound here only catches that. The 100 ms goal is
  // reported above, as timings on a shared machine are too noisy for a test to insist on.
  assert.ok(slowest.ms < 1000, `${slowest.name} took ${slowest.ms.toFixed(0)} ms`);
});

test('several pathological posts at once leave other readers\' latency within bounds', async () => {
  const read = async () => {
    const t = performance.now();
    const r = await fetch(server.url + questionPath, { headers: { 'cache-control': 'no-cache', cookie: author.cookieHeader() } });
    await r.arrayBuffer();
    return performance.now() - t;
  };
  const rounds = full ? 200 : 60;
  const baseline = await median(read, rounds);
  let stop = false;
  const bodies = Object.values(pathological);
  const attackers = Array.from({ length: 4 }, async (_, k) => {
    const c = new Client(server.url);
    await c.signUp(`attacker${k}`);
    // Bursts: the four send together, then pause, as a few abusive clients would.
    for (let i = k; !stop; i++) {
      await c.api('POST', '/preview', { body: bodies[i % bodies.length].slice(0, max) });
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  await new Promise((r) => setTimeout(r, 200));
  const during = await median(read, rounds);
  stop = true;
  await Promise.all(attackers);
  const ratio = during / baseline;
  console.log(`pathological load: question page p50 ${baseline.toFixed(2)} ms alone, ${during.toFixed(2)} ms with 4 clients posting pathological Markdown (${ratio.toFixed(2)}×)`);
  figure('reader latency while 4 clients submit pathological Markdown', `${ratio.toFixed(2)}× (p50 ${baseline.toFixed(2)} → ${during.toFixed(2)} ms)`, '≤ 2×', ratio <= 2);
  assert.ok(during < Math.max(5 * baseline, 25), `p50 ${during.toFixed(1)} ms against ${baseline.toFixed(1)} ms alone`);
});
