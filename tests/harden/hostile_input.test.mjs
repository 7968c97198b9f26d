// Hostile input into every field: naughty strings and XSS polyglots through sign-up, posts,
// comments, flags, search, the widget, paths, query strings, headers, cookies and JSON keys
// and types. Nothing may answer 5xx, every JSON answer is valid UTF-8 JSON, and no page holds
// markup that came from the input. The browser suite checks the same pages for running script.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, freshDataDir, createAccount, Client } from '../support/server.mjs';
import { naughty, injectedMarkup, each, full } from './naughty.mjs';

const strings = naughty();
let server, poster, flagger, widgetKey;
const findings = [];
let checked = 0;

before(async () => {
  // The poster is an admin, so that no spam rule holds a post back: every string is stored
  // and shown. A member flags.
  const dir = await freshDataDir();
  await createAccount(dir, 'poster', 'admin');
  server = await startServer({ dataDir: dir });
  poster = new Client(server.url);
  await poster.signIn('poster');
  flagger = new Client(server.url);
  await flagger.signUp('flagger');
});
after(async () => {
  await server?.stop();
  console.log(`hostile input: ${strings.length} strings, ${checked} responses checked, ${findings.length} findings`);
  assert.deepEqual(server.errors.filter((l) => !/^warning/.test(l)), []);
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Checks one response as a user agent would meet it.
async function check(what, response) {
  checked++;
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.status >= 500) findings.push(`${what}: ${response.status}`);
  let text;
  try {
    text = utf8.decode(bytes);
  } catch {
    findings.push(`${what}: not UTF-8`);
    return;
  }
  const type = response.headers.get('content-type') || '';
  if (type.includes('json') && text) {
    try { JSON.parse(text); } catch { findings.push(`${what}: invalid JSON ${text.slice(0, 80)}`); }
  }
  if (type.includes('html')) for (const tag of injectedMarkup(text)) findings.push(`${what}: markup ${tag.slice(0, 120)}`);
  return text;
}

const get = (path, headers = {}) => fetch(server.url + path, { headers, redirect: 'manual' });
const api = (client, method, path, body) => {
  const headers = { 'content-type': 'application/json', cookie: client.cookieHeader(), 'x-csrf-token': client.csrf };
  return fetch(server.url + '/api/v1' + path, { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body), redirect: 'manual' });
};

function assertClean() {
  const found = findings.splice(0);
  assert.deepEqual(found, [], found.slice(0, 20).join('\n'));
}

test('sign-up and sign-in fields', async () => {
  // scrypt makes each attempt cost tens of milliseconds: the short form takes a sample.
  const sample = full ? strings : strings.filter((_, i) => i % 3 === 0);
  await each(sample, async (s, i) => {
    await check(`sign-up username ${JSON.stringify(s)}`, await api(new Client(server.url), 'POST', '/users', { username: s, email: `u${i}@example.com`, password: 'correct horse battery' }));
    await check(`sign-up email ${JSON.stringify(s)}`, await api(new Client(server.url), 'POST', '/users', { username: `u${i}x`, email: s, password: s }));
    await check(`sign-in ${JSON.stringify(s)}`, await api(new Client(server.url), 'POST', '/session', { login: s, password: s }));
  }, 3);
  assertClean();
});

const created = [];
test('titles, bodies, tags, answers, comments, edit summaries and flag notes', async () => {
  await each(strings, async (s, i) => {
    const exact = await api(poster, 'POST', '/questions', { title: s, body: s, tags: [s] });
    await check(`question ${JSON.stringify(s)}`, exact.clone());
    if (exact.status === 201) created.push((await exact.json()).id);
    // Padded so that length rules pass and the string itself is stored and shown.
    const padded = await api(poster, 'POST', '/questions', { title: `Question ${i}: ${s}`.slice(0, 150), body: `Body ${i}: ${s}`, tags: ['naughty'] });
    const text = await check(`padded question ${JSON.stringify(s)}`, padded);
    if (padded.status !== 201) return;
    const id = JSON.parse(text).id;
    created.push(id);
    await check(`answer ${JSON.stringify(s)}`, await api(poster, 'POST', `/questions/${id}/answers`, { body: `Answer ${i}: ${s}` }));
    await check(`comment ${JSON.stringify(s)}`, await api(poster, 'POST', `/posts/${id}/comments`, { body: `Comment ${i}: ${s}` }));
    await check(`edit ${JSON.stringify(s)}`, await api(poster, 'PATCH', `/questions/${id}`, { body: `Edited ${i}: ${s}`, summary: s, tags: ['naughty', s] }));
    await check(`flag ${JSON.stringify(s)}`, await api(flagger, 'POST', `/posts/${id}/flags`, { reason: 'other', note: s }));
    await check(`flag reason ${JSON.stringify(s)}`, await api(flagger, 'POST', `/posts/${id}/flags`, { reason: s }));
    await check(`preview ${JSON.stringify(s)}`, await api(poster, 'POST', '/preview', { body: s }));
  });
  assert.ok(created.length > strings.length / 2, `${created.length} questions stored`);
  // Every page that shows them, signed out and as the author.
  const pages = ['/', '/questions?sort=newest', '/tags', '/tags/naughty', `/users/${poster.user.id}`, '/review', '/audit'];
  for (const id of created) pages.push(`/questions/${id}`, `/posts/${id}/revisions`, `/api/v1/questions/${id}`, `/api/v1/posts/${id}/revisions`);
  await each(pages, async (path) => {
    await check(`page ${path}`, await get(path));
    await check(`page ${path} signed in`, await get(path, { cookie: poster.cookieHeader() }));
  });
  assertClean();
});

test('search, similar, tag filters and the widget', async () => {
  const key = await api(poster, 'POST', '/admin/widget-keys', { name: 'k', allowed_origins: ['https://help.example.com'] });
  assert.equal(key.status, 201);
  widgetKey = (await key.json()).key;
  await each(strings, async (s) => {
    const q = encodeURIComponent(s);
    await check(`search ${JSON.stringify(s)}`, await get(`/api/v1/search?q=${q}`));
    await check(`search page ${JSON.stringify(s)}`, await get(`/search?q=${q}&tag=${q}&sort=${q}`));
    await check(`search filters ${JSON.stringify(s)}`, await get(`/api/v1/search?q=naughty&tag=${q}&sort=${q}&answered=${q}&page=${q}&pagesize=${q}`));
    await check(`similar ${JSON.stringify(s)}`, await get(`/api/v1/similar?title=${q}`));
    await check(`widget ${JSON.stringify(s)}`, await get(`/api/v1/widget/search?key=${widgetKey}&q=${q}`, { origin: 'https://help.example.com' }));
    await check(`widget key ${JSON.stringify(s)}`, await get(`/api/v1/widget/search?key=${q}&q=naughty`, { origin: s.replace(/[^\x20-\x7e]/g, '') || 'x' }));
  });
  assertClean();
});

test('paths and query strings', async () => {
  await each(strings, async (s) => {
    const e = encodeURIComponent(s);
    for (const path of [`/questions/${e}`, `/questions/1/${e}`, `/tags/${e}`, `/users/${e}`, `/api/v1/questions/${e}`,
      `/api/v1/users/${e}/reputation`, `/static/${e}`, `/widget/go/${e}`, `/?page=${e}&sort=${e}&tag=${e}`,
      `/questions?pagesize=${e}`, `/signin?next=${e}`, `/api/v1/questions?sort=${e}&tag=${e}&page=${e}`, `/${e}`])
      await check(`path ${path}`, await get(path));
  });
  assertClean();
});

// Raw bytes, as fetch refuses to send some of these: header values, cookies, methods, targets.
function raw(bytes) {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', () => resolve(Buffer.concat(chunks)));
    socket.setTimeout(10000, () => socket.destroy());
    socket.end(bytes);
  });
}

test('headers, cookies and the request line', async () => {
  await each(strings, async (s) => {
    const value = Buffer.from(s.replace(/[\r\n\0]/g, ' '), 'utf8');
    for (const header of ['Cookie: peerdesk_session=', 'Cookie: ', 'Cookie: peerdesk_csrf=', 'X-CSRF-Token: ', 'Authorization: Bearer ',
      'Authorization: ', 'If-None-Match: ', 'Accept-Encoding: ', 'Origin: ', 'Host: ', 'Content-Type: ', 'Sec-Fetch-Site: ']) {
      const request = Buffer.concat([Buffer.from(`POST /api/v1/preview HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 17\r\n${header}`), value, Buffer.from('\r\n\r\n{"body":"hello"}')]);
      const answer = await raw(request);
      checked++;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer.toString('latin1'))?.[1]);
      if (!(status >= 200 && status < 500)) findings.push(`${header}${s}: status ${status || 'none'}`);
      const body = answer.subarray(answer.indexOf('\r\n\r\n') + 4);
      try { utf8.decode(body); } catch { findings.push(`${header}${s}: body not UTF-8`); }
    }
    const target = Buffer.concat([Buffer.from('GET /search?q='), value.filter((b) => b > 0x20), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]);
    const answer = await raw(target);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer.toString('latin1'))?.[1]);
    checked++;
    if (!(status >= 200 && status < 500)) findings.push(`raw target ${s}: status ${status || 'none'}`);
  });
  assertClean();
});

test('JSON keys, types, nesting and encodings', async () => {
  const bodies = [];
  for (const s of strings) {
    bodies.push({ [s]: s, title: 'A question with an odd key', body: 'Body text here.', tags: ['x'] });
    bodies.push({ title: [s], body: { s }, tags: s });
    bodies.push({ title: 1e308, body: -0, tags: [null, true, 1.5, { s }] });
  }
  bodies.push('[', '{"title":', '{"a":1}{"b":2}', '"just a string"', 'null', '1e999999', '{"title":"\\ud800"}', '{"title":"\\u0000"}',
    '['.repeat(100000), '{"a":'.repeat(10000), `{"title":"${'a'.repeat(900000)}"}`, '\ufeff{"title":"bom"}');
  await each(bodies, async (body) => {
    for (const path of ['/questions', '/users', '/session', '/preview', '/questions/1/answers', '/posts/1/flags', '/admin/widget-keys'])
      await check(`JSON ${path} ${JSON.stringify(body).slice(0, 60)}`, await api(poster, 'POST', path, body));
  });
  assertClean();
  assert.equal((await get('/healthz')).status, 200, 'the server is still up');
});

test('the markup check finds an injection when there is one', () => {
  assert.deepEqual(injectedMarkup('<p>&lt;script&gt;</p><input value="&quot; onfocus=&quot;x">'), []);
  assert.equal(injectedMarkup('<img src=x onerror=alert(1)>').length, 1);
  assert.equal(injectedMarkup('<a href="jav&#x61;script:alert(1)">x</a>').length, 1);
  assert.equal(injectedMarkup('<script>alert(1)</script>').length, 1);
  assert.equal(injectedMarkup('<form action="https://evil.example/">').length, 1);
});
