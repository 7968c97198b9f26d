// The widget's server side over HTTP: keys managed by admins only, CORS for the key's allowed
// origins only (allowed, other, none, disabled key, unknown key, rotated key), a default tag,
// rate limits per key and per address, usage counting and the click-through.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir, eventually } from '../support/server.mjs';

let server, admin, alice, anon, key;
const allowed = 'https://help.example.com';


const widgetSearch = (q, k = key.key, origin = allowed, extra = {}) =>
  anon.request('GET', `/api/v1/widget/search?key=${encodeURIComponent(k)}&q=${encodeURIComponent(q)}`, {
    headers: origin ? { origin, ...extra } : extra,
  });

before(async () => {
  const dir = await freshDataDir();
  await writeFile(join(dir, 'pw'), 'the admin password 1\n');
  await peerdesk(['user', 'create', 'boss', '--email', 'boss@example.com', '--password-file', join(dir, 'pw'), '--role', 'admin', '--data', dir]);
  await peerdesk(['settings', 'set', 'rate.widget_per_address_per_minute', '50', '--data', dir]);
  await peerdesk(['settings', 'set', 'rate.widget_per_key_per_minute', '10', '--data', dir]);
  server = await startServer({ dataDir: dir, args: ['--rate-limits', 'on'] });
  admin = new Client(server.url);
  await admin.signIn('boss', 'the admin password 1');
  alice = new Client(server.url);
  anon = new Client(server.url);
  await alice.signUp('alice');
  const q1 = (await alice.api('POST', '/questions', { title: 'Router keeps dropping the wifi connection', body: 'Every evening the router drops wifi for a minute.', tags: ['network'] })).body.id;
  await alice.api('POST', '/questions', { title: 'Invoice shows the wrong wifi package', body: 'My invoice lists the basic wifi package.', tags: ['billing'] });
  key = (await admin.api('POST', '/admin/widget-keys', { name: 'Help center', allowed_origins: [allowed + '/', 'http://localhost:3000'] })).body;
  assert.ok(q1);
  await eventually(async () => (await widgetSearch('wifi')).body?.total === 2, 'the questions to be indexed');
});

after(async () => {
  await server?.stop();
  await rm(server.dir, { recursive: true, force: true });
  assert.deepEqual(server.errors, []);
});

test('admins create, list, change and rotate keys; members and visitors cannot', async () => {
  assert.match(key.key, /^pk_[A-Za-z0-9_-]{20,}$/);
  assert.deepEqual(key.allowed_origins, [allowed, 'http://localhost:3000'], 'origins are normalised');
  assert.equal((await alice.api('POST', '/admin/widget-keys', { name: 'x', allowed_origins: [allowed] })).status, 403);
  assert.equal((await anon.api('POST', '/admin/widget-keys', { name: 'x', allowed_origins: [allowed] })).status, 401);
  assert.equal((await alice.api('GET', '/admin/widget-keys')).status, 403);
  for (const bad of ['*', 'https://*.example.com', 'help.example.com', 'https://help.example.com/support', 'javascript:alert(1)']) {
    const r = await admin.api('POST', '/admin/widget-keys', { name: 'Bad', allowed_origins: [bad] });
    assert.equal(r.status, 422, bad);
    assert.equal(r.body.error.field, 'allowed_origins');
  }
  assert.equal((await admin.api('POST', '/admin/widget-keys', { name: 'No origins', allowed_origins: [] })).status, 422);
  const list = await admin.api('GET', '/admin/widget-keys');
  assert.equal(list.body.items[0].key, key.key);
  const page = await admin.request('GET', '/admin/widgets');
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(`/widget.js&quot; data-key=&quot;${key.key}&quot; async&gt;&lt;/script&gt;`), 'the snippet to paste');
  assert.equal((await alice.request('GET', '/admin/widgets')).status, 403);
});

test('CORS: the allowed origin gets results it may read; other origins, no origin and bad keys get none', async () => {
  const ok = await widgetSearch('wifi');
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), allowed);
  assert.match(ok.headers.get('vary'), /Origin/);
  assert.equal(ok.headers.get('access-control-allow-credentials'), null);
  assert.equal(ok.headers.get('set-cookie'), null, 'no cookies');
  const hit = ok.body.items[0];
  assert.match(hit.url, new RegExp(`^/questions/${hit.question_id}(#|$)`), 'straight to the thread; the click is reported apart');
  assert.match(hit.snippet_html, /<mark>wifi<\/mark>/);
  assert.ok('answer_count' in hit && 'accepted' in hit && 'title' in hit);
  assert.equal(ok.body.ask_url, '/questions/ask?title=wifi');

  const other = await widgetSearch('wifi', key.key, 'https://evil.example');
  assert.equal(other.status, 403);
  assert.equal(other.body.error.code, 'origin_not_allowed');
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  const none = await widgetSearch('wifi', key.key, null);
  assert.equal(none.status, 403);
  assert.equal(none.body.error.code, 'origin_required');
  const unknown = await widgetSearch('wifi', 'pk_nosuchkey');
  assert.equal(unknown.status, 403);
  assert.equal(unknown.body.error.code, 'unknown_key');
  assert.equal(unknown.headers.get('access-control-allow-origin'), null);
  // A port is part of the origin.
  assert.equal((await widgetSearch('wifi', key.key, 'https://help.example.com:8443')).status, 403);
  assert.equal((await widgetSearch('wifi', key.key, 'http://localhost:3000')).status, 200);

  const pre = await anon.request('OPTIONS', `/api/v1/widget/search?key=${key.key}`, { headers: { origin: allowed } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), allowed);
  const preOther = await anon.request('OPTIONS', `/api/v1/widget/search?key=${key.key}`, { headers: { origin: 'https://evil.example' } });
  assert.equal(preOther.headers.get('access-control-allow-origin'), null);
});

test('disabled and rotated keys stop working at once; a default tag narrows the results', async () => {
  const k = (await admin.api('POST', '/admin/widget-keys', { name: 'Billing pages', allowed_origins: [allowed], default_tag: 'billing' })).body;
  const tagged = await widgetSearch('wifi', k.key);
  assert.equal(tagged.body.items.length, 1);
  assert.deepEqual(tagged.body.items[0].title, 'Invoice shows the wrong wifi package');
  assert.equal((await admin.api('PATCH', `/admin/widget-keys/${k.id}`, { enabled: false })).body.enabled, false);
  const disabled = await widgetSearch('wifi', k.key);
  assert.equal(disabled.status, 403);
  assert.equal(disabled.body.error.code, 'disabled_key');
  await admin.api('PATCH', `/admin/widget-keys/${k.id}`, { enabled: true });
  const rotated = (await admin.api('POST', `/admin/widget-keys/${k.id}/rotate`)).body;
  assert.notEqual(rotated.key, k.key);
  assert.equal((await widgetSearch('wifi', k.key)).body.error.code, 'unknown_key');
  assert.equal((await widgetSearch('wifi', rotated.key)).status, 200);
  assert.equal((await alice.api('POST', `/admin/widget-keys/${k.id}/rotate`)).status, 403);
});

test('usage: searches, searches without results and clicks through are counted per key', async () => {
  const k = (await admin.api('POST', '/admin/widget-keys', { name: 'Usage', allowed_origins: [allowed] })).body;
  const found = await widgetSearch('router', k.key);
  await widgetSearch('teleporter warranty', k.key);
  await widgetSearch('teleporter warranty', k.key);
  // The widget reports a click with its beacon; snippets from before it link through /widget/go.
  const beacon = await anon.request('POST', `/api/v1/widget/clicks?key=${k.key}`, {
    body: JSON.stringify({ q: 'router', question_id: found.body.items[0].question_id }), headers: { origin: allowed },
  });
  assert.equal(beacon.status, 204, beacon.text);
  const go = await anon.request('GET', `/widget/go/${found.body.items[0].question_id}?key=${k.key}`);
  assert.equal(go.status, 302);
  assert.equal(go.headers.get('location'), `/questions/${found.body.items[0].question_id}`);
  const usage = await eventually(async () => {
    const u = await admin.api('GET', `/admin/widget-keys/${k.id}/usage`);
    return u.body.searches === 3 && u.body.clicks === 2 ? u : null;
  }, 'the usage to be written');
  assert.equal(usage.body.no_results, 2);
  assert.deepEqual(usage.body.top_no_results, [{ query: 'teleporter warranty', count: 2 }]);
  const page = await admin.request('GET', '/admin/widgets');
  assert.match(page.text, /teleporter warranty/);
});

test('the widget script and the demo host page are served', async () => {
  const js = await anon.request('GET', '/widget.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  assert.match(js.text, /attachShadow/);
  assert.ok(js.text.length < 20000, 'one small script');
  // The demo stands in for another site: served on 127.0.0.1, it loads the widget from localhost.
  const other = server.url.replace('127.0.0.1', 'localhost');
  const demo = await anon.request('GET', `/widget/demo?key=${key.key}`);
  assert.equal(demo.status, 200);
  assert.ok(demo.text.includes(`<script src="${other}/widget.js" data-key="${key.key}" async>`));
  assert.match(demo.headers.get('content-security-policy'), new RegExp(`script-src ${other.replace(/[.]/g, '\\.')}`));
});

test('rate limits per key and per visitor address answer 429 with Retry-After', async () => {
  const busy = (await admin.api('POST', '/admin/widget-keys', { name: 'Busy', allowed_origins: [allowed] })).body;
  const statuses = [];
  for (let i = 0; i < 11; i++) statuses.push((await widgetSearch('wifi ' + i, busy.key)).status);
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(200));
  const byKey = await widgetSearch('wifi', busy.key);
  assert.equal(byKey.status, 429, 'past ten a minute for this key');
  assert.match(byKey.body.error.message, /searches through this site's widget/);
  assert.ok(Number(byKey.headers.get('retry-after')) >= 1);
  assert.equal(byKey.headers.get('access-control-allow-origin'), allowed, 'the page can read why');
  // Another key still answers the same address, until the address itself is over its limit.
  let byAddress;
  for (let n = 0; n < 6 && !byAddress; n++) {
    const k = (await admin.api('POST', '/admin/widget-keys', { name: 'More ' + n, allowed_origins: [allowed] })).body;
    for (let i = 0; i < 10 && !byAddress; i++) {
      const r = await widgetSearch('wifi', k.key);
      if (r.status === 429) byAddress = r;
    }
  }
  assert.ok(byAddress, 'past fifty a minute from one address');
  assert.match(byAddress.body.error.message, /searches from your address/);
});
