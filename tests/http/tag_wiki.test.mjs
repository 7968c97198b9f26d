// Tags people understand: descriptions and wikis with their history, who may edit them,
// suggestions while typing, and synonyms that retag and redirect.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { startServer, Client, freshDataDir, createAccount, eventually } from '../support/server.mjs';

test('descriptions, wikis, suggestions and synonyms', async (t) => {
  const dir = await freshDataDir();
  await createAccount(dir, 'mona', 'moderator');
  const s = await startServer({ t, dataDir: dir });
  const mona = new Client(s.url);
  await mona.signIn('mona');
  const ana = new Client(s.url);
  await ana.signUp('ana');
  const ask = async (title, tags) => {
    const r = await ana.api('POST', '/questions', { title, body: 'A question body that is long enough to post.', tags });
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  await ask('My router drops the connection', ['wireless', 'router']);
  await ask('Wireless printer is not found', ['wireless']);
  await ask('Which wifi band should I use', ['wifi']);
  await ask('Windows update broke the driver', ['windows']);

  // A new member may not describe tags; a moderator may. HTML stays text.
  const refused = await ana.api('PATCH', '/tags/wireless', { description: 'x' });
  assert.equal(refused.status, 403);
  assert.match(refused.body.error.message, /reputation/);
  const d = await mona.api('PATCH', '/tags/wireless', { description: 'Wi-Fi <b>and</b> other radio links', wiki: 'Say which **band** you use.' });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.description, 'Wi-Fi <b>and</b> other radio links');
  assert.match(d.body.wiki_html, /<strong>band<\/strong>/);
  assert.equal((await mona.api('PATCH', '/tags/wireless', { description: 'x'.repeat(301) })).status, 422);
  assert.equal((await mona.api('PATCH', '/tags/nosuchtag', { description: 'x' })).status, 404);
  await mona.api('PATCH', '/tags/wireless', { description: 'Wi-Fi <b>and</b> other radio links, and their routers' });
  const revisions = await mona.api('GET', '/tags/wireless/revisions');
  assert.deepEqual(revisions.body.items.map((r) => r.author.username), ['mona', 'mona']);
  const info = await (await fetch(`${s.url}/tags/wireless/info`)).text();
  assert.ok(info.includes('Wi-Fi &lt;b&gt;and&lt;/b&gt; other radio links'), 'escaped on the page');
  assert.ok(!info.includes('<b>and</b>'));
  assert.ok(info.includes('<strong>band</strong>'));
  const list = await (await fetch(`${s.url}/tags`)).text();
  assert.ok(list.includes('Wi-Fi &lt;b&gt;and&lt;/b&gt;'), 'the tag list shows descriptions, escaped');
  const tagged = await (await fetch(`${s.url}/tags/wireless`)).text();
  assert.ok(tagged.includes('Wi-Fi &lt;b&gt;and&lt;/b&gt;') && tagged.includes('href="/tags/wireless/info"'), 'the tag\'s questions say what it is for');

  // Suggestions: by prefix, most used first, with counts and descriptions.
  const sug = await ana.api('GET', '/tags?q=wi');
  assert.deepEqual(sug.body.items.map((x) => [x.name, x.count]), [['wireless', 2], ['wifi', 1], ['windows', 1]]);
  assert.match(sug.body.items[0].description, /Wi-Fi/);

  // A moderator maps wifi to wireless: the wifi question moves, new ones are tagged wireless,
  // the old addresses redirect, and the suggestions point at wireless.
  assert.equal((await ana.api('POST', '/tags/wireless/synonyms', { name: 'wifi' })).status, 403);
  const syn = await mona.api('POST', '/tags/wireless/synonyms', { name: 'WiFi' });
  assert.equal(syn.status, 201, syn.text);
  assert.deepEqual(syn.body.synonyms, ['wifi']);
  assert.equal(syn.body.count, 3);
  assert.equal((await mona.api('POST', '/tags/wireless/synonyms', { name: 'wireless' })).status, 422);
  assert.equal((await mona.api('POST', '/tags/router/synonyms', { name: 'wifi' })).status, 409);
  const q = await ask('Laptop will not join the network', ['wifi', 'router']);
  assert.deepEqual(q.tags, ['wireless', 'router']);
  const both = await ask('Two names for one thing in tags', ['wifi', 'wireless']);
  assert.deepEqual(both.tags, ['wireless']);
  const r = await fetch(`${s.url}/tags/wifi`, { redirect: 'manual' });
  assert.equal(r.status, 301);
  assert.equal(r.headers.get('location'), '/tags/wireless');
  const api = await fetch(`${s.url}/api/v1/tags/wifi`, { redirect: 'manual' });
  assert.equal(api.status, 301);
  assert.deepEqual((await ana.api('GET', '/tags?q=wif')).body.items.map((x) => x.name), ['wireless']);
  // Searching by the tag finds the moved question.
  await eventually(async () => {
    const found = await ana.api('GET', '/search?q=band&tag=wireless');
    return found.body.items.some((h) => /wifi band/.test(h.title));
  }, 'the moved question indexed under its new tag');
  // Removed again: wifi is a name of its own once more.
  assert.equal((await mona.api('DELETE', '/tags/wireless/synonyms/wifi')).status, 204);
  assert.equal((await fetch(`${s.url}/tags/wifi`, { redirect: 'manual' })).status, 200);
});

test('the pages: a member with the privilege edits; a moderator maps synonyms by form', async (t) => {
  const dir = await freshDataDir();
  await createAccount(dir, 'mona', 'moderator');
  const s = await startServer({ t, dataDir: dir });
  const mona = new Client(s.url);
  await mona.signIn('mona');
  await mona.api('POST', '/questions', { title: 'How do I reset my password', body: 'A question body that is long enough to post.', tags: ['account'] });
  const page = await mona.request('GET', '/tags/account/info');
  const token = /name="csrf_token" value="([^"]+)"/.exec(page.text)[1];
  const saved = await mona.form('/tags/account/info', { csrf_token: token, description: 'Signing in, passwords and profiles', wiki: 'Include *what* you see.' });
  assert.equal(saved.status, 303);
  const after = await mona.request('GET', '/tags/account/info');
  assert.ok(after.text.includes('Signing in, passwords and profiles'));
  assert.ok(after.text.includes('<em>what</em>'));
  const syn = await mona.form('/tags/account/synonyms', { csrf_token: token, name: 'login' });
  assert.equal(syn.status, 303);
  assert.ok((await mona.request('GET', '/tags/account/info')).text.includes('Also known as'));
  const anon = await fetch(`${s.url}/tags/account/info`);
  assert.ok(!(await anon.text()).includes('name="wiki"'), 'no edit form for readers');
});
