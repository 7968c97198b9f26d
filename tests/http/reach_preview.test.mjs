// Link previews: every page names a picture (og:image, twitter:image) at an absolute address
// made from --public-url, never from the Host asked for; a thread whose question shows an
// uploaded image offers that image; admins choose the site's picture (site.og_image), checked.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, Client, freshDataDir, createAccount, ask } from '../support/server.mjs';
import { metas } from '../support/reach.mjs';
import { png, upload, dimensions } from '../support/images.mjs';

const publicUrl = 'https://support.example.com';
const body = 'After the firmware update the router keeps blinking red and no device can connect to the wireless network any more.';

function getWithHost(server, path, host) {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    http.request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    }).on('error', reject).end();
  });
}

test('pages name a picture for link previews: the site\'s, or the question\'s own image', async (t) => {
  const dir = await freshDataDir();
  await createAccount(dir, 'ada', 'admin');
  const s = await startServer({ t, dataDir: dir, args: ['--public-url', publicUrl] });
  const anon = new Client(s.url);
  const ana = new Client(s.url);
  await ana.signUp('ana');

  // The site's own picture, packaged: absolute, at the configured address, and served here.
  const home = metas((await anon.request('GET', '/')).text);
  assert.match(home['og:image'], /^https:\/\/support\.example\.com\/static\/og-image\.png\?v=[0-9a-f]{16}$/);
  assert.equal(home['twitter:image'], home['og:image']);
  assert.equal(home['twitter:card'], 'summary');
  const served = await fetch(s.url + new URL(home['og:image']).pathname + new URL(home['og:image']).search);
  assert.equal(served.status, 200);
  assert.equal(served.headers.get('content-type'), 'image/png');
  const picture = Buffer.from(await served.arrayBuffer());
  assert.deepEqual(dimensions(picture), [1200, 630], 'the size link previews ask for');
  for (const path of ['/questions', '/tags', '/ideas', '/users', '/search?q=router'])
    assert.equal(metas((await anon.request('GET', path)).text)['og:image'], home['og:image'], path);

  // Another Host header changes nothing in it.
  const other = metas((await getWithHost(s, '/', 'attacker.example')).text);
  assert.equal(other['og:image'], home['og:image']);

  // A question showing an uploaded screenshot offers it, with the large card.
  const up = await upload(ana, png(640, 360, { seed: 7 }), { filename: 'screen.png' });
  assert.equal(up.status, 201, up.text);
  const shot = up.body.url;
  const withImage = await ask(ana, 'The router settings page shows an error', `${body}\n\n![the error](${shot})`, ['router']);
  const page = metas((await anon.request('GET', `/questions/${withImage}`)).text);
  assert.equal(page['og:image'], publicUrl + shot);
  assert.equal(page['twitter:image'], publicUrl + shot);
  assert.equal(page['twitter:card'], 'summary_large_image');
  assert.equal((await anon.request('GET', shot)).status, 200, 'the picture named is served');
  // A question without one (an image in an answer is not the question's) keeps the site's.
  const plain = await ask(ana, 'The router forgets its settings after a restart', body, ['router']);
  const ansUp = await upload(ana, png(200, 100, { seed: 9 }), { filename: 'answer.png' });
  assert.equal((await ana.api('POST', `/questions/${plain}/answers`, { body: `Reset it like this:\n\n![reset](${ansUp.body.url})` })).status, 201);
  const plainPage = metas((await anon.request('GET', `/questions/${plain}`)).text);
  assert.equal(plainPage['og:image'], home['og:image']);
  assert.equal(plainPage['twitter:card'], 'summary');
  // An image from another site is a link, never a preview.
  const linked = await ask(ana, 'A picture hosted somewhere else entirely', `${body}\n\n![elsewhere](https://images.example.net/a.png)`, ['router']);
  assert.equal(metas((await anon.request('GET', `/questions/${linked}`)).text)['og:image'], home['og:image']);
  // Edited to show one, the question offers it from then on.
  const edited = await ana.api('PATCH', `/questions/${plain}`, { body: `${body}\n\n![now with a picture](${ansUp.body.url})`, summary: 'added the picture' });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(metas((await anon.request('GET', `/questions/${plain}`)).text)['og:image'], publicUrl + ansUp.body.url);

  // The admin's choice: a path on this site or an absolute address; anything else is refused
  // with the setting named, and nothing changes.
  const ada = new Client(s.url);
  await ada.signIn('ada');
  for (const bad of ['javascript:alert(1)', '//evil.example/x.png', 'logo.png', '/x.png" onerror="alert(1)', '/a b.png', 'https://', 'ftp://example.com/x.png', `/${'x'.repeat(2001)}`]) {
    const r = await ada.api('PATCH', '/admin/settings', { 'site.og_image': bad });
    assert.equal(r.status, 422, bad);
    assert.equal(r.body.error.field, 'site.og_image');
    assert.match(r.body.error.message, /site\.og_image/);
  }
  assert.equal(metas((await anon.request('GET', '/')).text)['og:image'], home['og:image'], 'nothing stored by a refusal');
  const set = await ada.api('PATCH', '/admin/settings', { 'site.og_image': shot });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.body['site.og_image'], shot);
  assert.equal(metas((await anon.request('GET', '/')).text)['og:image'], publicUrl + shot);
  assert.equal(metas((await anon.request('GET', `/questions/${withImage}`)).text)['og:image'], publicUrl + shot, 'the question\'s own stays first');
  assert.equal((await ada.api('PATCH', '/admin/settings', { 'site.og_image': 'https://cdn.example.org/brand/preview.png' })).status, 200);
  assert.equal(metas((await anon.request('GET', '/tags')).text)['og:image'], 'https://cdn.example.org/brand/preview.png');
  // The settings page offers it, labelled, in its own group.
  const form = await ada.request('GET', '/admin/settings');
  assert.match(form.text, /<legend>Link previews<\/legend>/);
  assert.match(form.text, /name="site\.og_image"[^>]*>https:\/\/cdn\.example\.org\/brand\/preview\.png<\/textarea>/);
  // Emptied, the packaged picture is back.
  assert.equal((await ada.api('PATCH', '/admin/settings', { 'site.og_image': '' })).status, 200);
  assert.equal(metas((await anon.request('GET', '/')).text)['og:image'], home['og:image']);
});

test('without --public-url there is no address to trust for a picture, so none is named', async (t) => {
  const s = await startServer({ t });
  const anon = new Client(s.url);
  const head = metas((await anon.request('GET', '/')).text);
  assert.equal(head['og:image'], undefined);
  assert.equal(head['twitter:image'], undefined);
  assert.equal(head['twitter:card'], 'summary');
  assert.equal((await getWithHost(s, '/', 'attacker.example')).text.includes('attacker.example/static/og-image'), false);
});
