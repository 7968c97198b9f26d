// Reach: what a search engine and a link preview see — canonical addresses and their
// redirects, permalinks, the head of each page, QAPage structured data, robots.txt and the
// sitemap — against the real server and its database file.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Client, ask } from '../support/server.mjs';
import { startCommunity } from '../support/community.mjs';
import { sql, metas, jsonLd, qaPageProblems, sitemapEntries } from '../support/reach.mjs';

let server, alice, bob, carol, anon;
before(async () => {
  let clients;
  ({ server, clients } = await startCommunity({ members: ['alice', 'bob', 'carol'] }));
  ({ alice, bob, carol } = clients);
  anon = new Client(server.url);
});
after(async () => {
  await server?.stop();
  assert.deepEqual(server.errors, [], 'the server logged no errors');
});

const longBody = 'After the firmware update the router keeps blinking red and no device can connect to the wireless network any more.';

async function answer(who, q, body = 'Hold the reset button for thirty seconds, then wait for the light.') {
  const r = await who.api('POST', `/questions/${q}/answers`, { body });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

// A GET with the Host header a browser would send for another name of this server.
function getWithHost(path, host) {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a thread lives at /questions/{id}/{slug}; any other slug, odd bytes too, is a 301 to it', async () => {
  const q = await ask(alice, 'How do I reset my Router? (v2.1)', longBody, ['router']);
  const canonical = `/questions/${q}/how-do-i-reset-my-router-v2-1`;
  assert.equal((await anon.request('GET', canonical)).status, 200);
  for (const wrong of ['wrong-slug', 'how-do-i-reset-my-router', '%FF%FE%C3', 'HOW-DO-I-RESET-MY-ROUTER-V2-1', '%3Cscript%3E', 'a%20b', '%00', 'a%2Fb', '%', '%zz']) {
    const r = await anon.request('GET', `/questions/${q}/${wrong}`);
    assert.equal(r.status, 301, wrong);
    assert.equal(r.headers.get('location'), canonical, wrong);
  }
  // The page asked for is kept; anything odd in the query is not carried along.
  const paged = await anon.request('GET', `/questions/${q}/old-title?page=1`);
  assert.equal(paged.headers.get('location'), `${canonical}?page=1`);
  const odd = await anon.request('GET', `/questions/${q}/old-title?x=%0d%0aSet-Cookie:a`);
  assert.equal(odd.status, 301);
  assert.equal(odd.headers.get('location'), canonical);
  // A renamed question moves its address; the old one leads to the new.
  assert.equal((await alice.api('PATCH', `/questions/${q}`, { title: 'Router blinks red after the firmware update' })).status, 200);
  const moved = await anon.request('GET', canonical);
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get('location'), `/questions/${q}/router-blinks-red-after-the-firmware-update`);
  // The short address stays the product's own link, naming the canonical one.
  const short = await anon.request('GET', `/questions/${q}`);
  assert.equal(short.status, 200);
  assert.equal(metas(short.text).canonical, `${server.url}/questions/${q}/router-blinks-red-after-the-firmware-update`);
  // A title with nothing an address can hold still has a slug.
  const bare = await ask(alice, '¿Qué pasa? ¡Ñandú — ünïcödé!', longBody);
  assert.equal((await anon.request('GET', `/questions/${bare}/x`)).headers.get('location'), `/questions/${bare}/que-pasa-nandu-unicode`);
  const none = await ask(alice, 'Привет мир как дела у вас', longBody);
  assert.equal((await anon.request('GET', `/questions/${none}/x`)).headers.get('location'), `/questions/${none}/question`);
  assert.equal((await anon.request('GET', '/questions/999999/some-slug')).status, 404);
  assert.equal((await anon.request('GET', '/questions/999999/%00')).status, 404);
  assert.equal((await anon.request('GET', `/questions/${q}/a/b`)).status, 404, 'a slug is one segment');
});

test('answers have permalinks: /a/{id} and /questions/<answer id> lead to the thread at the answer', async () => {
  const q = await ask(alice, 'Printer prints blank pages after a cartridge change', longBody);
  const a = await answer(bob, q);
  const at = await anon.request('GET', `/a/${a}`);
  assert.equal(at.status, 302);
  assert.equal(at.headers.get('location'), `/questions/${q}/printer-prints-blank-pages-after-a-cartridge-change#answer-${a}`);
  const byId = await anon.request('GET', `/questions/${a}`);
  assert.equal(byId.status, 301, '/questions/<answer id> is not a 404');
  assert.equal(byId.headers.get('location'), `/a/${a}`);
  assert.equal((await anon.request('GET', `/questions/${a}/anything`)).headers.get('location'), `/a/${a}`);
  assert.equal((await anon.request('GET', `/a/${q}`)).headers.get('location'), `/questions/${q}/printer-prints-blank-pages-after-a-cartridge-change#post-${q}`);
  for (const bad of ['999999', 'abc', '-1', '0', '1e3']) assert.equal((await anon.request('GET', `/a/${bad}`)).status, 404, bad);
  // The page offers a share link per answer, to the permalink.
  const page = await anon.request('GET', `/questions/${q}`);
  assert.match(page.text, new RegExp(`<a class="share-link" href="/a/${a}"[^>]*>Share</a>`));
  // A deleted answer's permalink is gone for readers.
  assert.equal((await bob.api('DELETE', `/posts/${a}`)).status, 204);
  assert.equal((await anon.request('GET', `/a/${a}`)).status, 404);
  assert.equal((await anon.request('GET', `/questions/${a}`)).status, 404);
});

test('the head: title, description from the content, canonical, OpenGraph and Twitter card', async () => {
  const q = await ask(alice, 'Bluetooth headset & laptop: "no audio" after pairing', 'Pairing works, but **no audio** comes through <b>the</b> headset; the laptop plays sound through its speakers instead. What now?', ['audio']);
  await answer(bob, q);
  const m = metas((await anon.request('GET', `/questions/${q}`)).text);
  const canonical = `${server.url}/questions/${q}/bluetooth-headset-laptop-no-audio-after-pairing`;
  assert.equal(m.title, 'Bluetooth headset & laptop: "no audio" after pairing · peerdesk');
  assert.match(m.description, /^Pairing works, but no audio comes through/);
  assert.ok(m.description.length <= 160, 'a description a result page shows whole');
  assert.doesNotMatch(m.description, /<|\*\*/, 'text, not markup');
  assert.equal(m.canonical, canonical);
  assert.equal(m['og:url'], canonical);
  assert.equal(m['og:type'], 'article');
  assert.equal(m['og:title'], 'Bluetooth headset & laptop: "no audio" after pairing');
  assert.equal(m['og:description'], m.description);
  assert.equal(m['twitter:card'], 'summary');
  assert.equal(m['twitter:title'], m['og:title']);
  assert.equal(m.robots, undefined, 'an answered thread is for search engines');
  // Two threads never share a description.
  const other = await ask(alice, 'Keyboard repeats every key twice when typing fast', longBody);
  assert.notEqual(metas((await anon.request('GET', `/questions/${other}`)).text).description, m.description);
  // A long body is cut at a word, with an ellipsis.
  const long = await ask(alice, 'A long question about the docking station', 'word '.repeat(300) + 'end');
  assert.match(metas((await anon.request('GET', `/questions/${long}`)).text).description, /^word( word)+…$/);
});

test('noindex on searches, forms, member lists, thin threads and errors; not on threads worth finding', async () => {
  const thin = await ask(alice, 'Short question with hardly any words in it', 'Any idea why? It fails.');
  assert.equal(metas((await anon.request('GET', `/questions/${thin}`)).text).robots, 'noindex', 'no answer and a short body: thin');
  const rich = await ask(alice, 'A question with a long enough body to stand alone', longBody);
  assert.equal(metas((await anon.request('GET', `/questions/${rich}`)).text).robots, undefined);
  await answer(bob, thin);
  assert.equal(metas((await anon.request('GET', `/questions/${thin}`)).text).robots, undefined, 'answered: worth finding');
  for (const path of ['/search?q=router', '/signin', '/signup', '/questions/999999', '/nowhere']) {
    const r = await anon.request('GET', path);
    assert.equal(metas(r.text).robots, 'noindex', path);
  }
  for (const path of ['/notifications', '/account', '/questions/ask']) {
    const r = await alice.request('GET', path);
    assert.equal(metas(r.text).robots, 'noindex', path);
  }
  for (const path of ['/', '/questions', '/tags', `/users/${alice.user.id}`]) {
    const r = await anon.request('GET', path);
    assert.equal(r.status, 200, path);
    assert.equal(metas(r.text).robots, undefined, path);
  }
});

test('QAPage structured data: schema.org\'s required properties, the accepted and top answers, no way out of the script', async () => {
  const q = await ask(alice, 'Why does the app log me out every hour?', 'Every hour the app logs me out </script><script>alert(1)</script> and the session is gone.');
  const weak = await answer(carol, q, 'Maybe reinstall the app and try again later today.');
  const best = await answer(bob, q, 'The session cookie is dropped by the <\/script> "privacy" mode; turn it off & sign in again.');
  const accepted = await answer(carol, q, 'Update to version 4.2: the hourly logout was a bug fixed there.');
  // Reputation enough to vote (the privilege's threshold), as a long-standing member has.
  await sql(server, `UPDATE users SET reputation = 1000 WHERE id = ${alice.user.id}`);
  assert.equal((await alice.api('POST', `/posts/${best}/vote`, { value: 1 })).status, 200);
  assert.equal((await alice.api('POST', `/answers/${accepted}/accept`)).status, 200);
  const html = (await anon.request('GET', `/questions/${q}`)).text;
  const blocks = jsonLd(html);
  assert.equal(blocks.length, 1);
  const { raw, data } = blocks[0];
  assert.deepEqual(qaPageProblems(data), []);
  assert.doesNotMatch(raw, /<|>/, 'no markup characters inside the script');
  assert.equal(html.split('</script>').length - 1, html.split('<script').length - 1, 'every script closes once');
  const question = data.mainEntity;
  assert.equal(question.name, 'Why does the app log me out every hour?');
  assert.equal(question.answerCount, 3);
  assert.equal(question.acceptedAnswer.url, `${server.url}/questions/${q}/why-does-the-app-log-me-out-every-hour#answer-${accepted}`);
  assert.match(question.acceptedAnswer.text, /hourly logout was a bug/);
  assert.equal(question.acceptedAnswer.author.name, 'carol');
  assert.deepEqual(question.suggestedAnswer.map((a) => a.url.split('#')[1]), [`answer-${best}`, `answer-${weak}`], 'the best voted next');
  assert.equal(question.suggestedAnswer[0].upvoteCount, 1);
  assert.match(question.suggestedAnswer[0].text, /"privacy" mode; turn it off & sign in again/);
  // The second page of a thread carries none; an unanswered question still validates.
  const lone = await ask(alice, 'Is there a dark theme for the desktop app?', longBody);
  const loneData = jsonLd((await anon.request('GET', `/questions/${lone}`)).text)[0].data;
  assert.deepEqual(qaPageProblems(loneData), []);
  assert.equal(loneData.mainEntity.answerCount, 0);
  // Members' pages carry it too, with the same content.
  assert.deepEqual(jsonLd((await bob.request('GET', `/questions/${q}`)).text)[0].data, data);
});

test('robots.txt names the sitemap and keeps crawlers out of searches and forms', async () => {
  const r = await anon.request('GET', '/robots.txt');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  assert.match(r.text, /^User-agent: \*$/m);
  assert.match(r.text, /^Disallow: \/search$/m);
  assert.match(r.text, /^Disallow: \/api\/$/m);
  assert.match(r.text, new RegExp(`^Sitemap: ${server.url}/sitemap.xml$`, 'm'));
  assert.doesNotMatch(r.text, /^Disallow: \/questions\/$/m, 'threads are crawled');
});

test('the sitemap: an index of parts by 50,000 ids, with lastmod; thin and deleted threads left out', async () => {
  const listed = await ask(alice, 'Sitemap: charger gets hot while charging overnight', longBody);
  const thin = await ask(alice, 'Sitemap: a thin question nobody answered', 'Why does it fail? Help.');
  const gone = await ask(alice, 'Sitemap: a question its author will delete', longBody);
  const index = await anon.request('GET', '/sitemap.xml');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^application\/xml/);
  assert.match(index.text, /<sitemapindex xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
  // The threads' parts (tags and profiles have their own: reach_sitemaps.test.mjs).
  const parts = sitemapEntries(index.text).filter((p) => /\/sitemaps\/\d+\.xml$/.test(p.loc));
  assert.deepEqual(parts.map((p) => p.loc), [`${server.url}/sitemaps/0.xml`]);
  assert.match(parts[0].lastmod, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

  const part = await anon.request('GET', '/sitemaps/0.xml');
  assert.equal(part.status, 200);
  assert.match(part.text, /<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
  const urls = sitemapEntries(part.text);
  const locs = urls.map((u) => u.loc);
  assert.ok(locs.includes(`${server.url}/questions/${listed}/sitemap-charger-gets-hot-while-charging-overnight`));
  assert.ok(!locs.some((l) => l.includes(`/questions/${thin}/`)), 'a thin question is not listed');
  assert.ok(locs.includes(`${server.url}/questions/${gone}/sitemap-a-question-its-author-will-delete`));
  // Every address listed is a page that answers 200 with itself as canonical.
  for (const u of urls.slice(0, 5)) {
    const page = await anon.request('GET', new URL(u.loc).pathname);
    assert.equal(page.status, 200, u.loc);
    assert.equal(metas(page.text).canonical, u.loc);
  }

  // A change moves the part's time and the page's; a crawler that has the part gets a 304.
  const stamp = part.headers.get('last-modified');
  assert.equal((await anon.request('GET', '/sitemaps/0.xml', { headers: { 'if-modified-since': stamp } })).status, 304);
  await new Promise((r) => setTimeout(r, 1100));  // times are in whole seconds
  assert.equal((await alice.api('DELETE', `/posts/${gone}`)).status, 204);
  await answer(bob, thin);
  const after = await anon.request('GET', '/sitemaps/0.xml');
  assert.notEqual(after.headers.get('last-modified'), stamp);
  assert.equal((await anon.request('GET', '/sitemaps/0.xml', { headers: { 'if-modified-since': stamp } })).status, 200);
  const afterLocs = sitemapEntries(after.text).map((u) => u.loc);
  assert.ok(!afterLocs.some((l) => l.includes(`/questions/${gone}/`)), 'a deleted question leaves the sitemap');
  assert.ok(afterLocs.some((l) => l.includes(`/questions/${thin}/`)), 'answered, it joins it');
  const thinEntry = sitemapEntries(after.text).find((u) => u.loc.includes(`/questions/${thin}/`));
  assert.ok(thinEntry.lastmod > parts[0].lastmod, 'its lastmod is the answer\'s time');
  assert.ok(sitemapEntries((await anon.request('GET', '/sitemap.xml')).text)[0].lastmod >= thinEntry.lastmod);

  for (const bad of ['1.xml', 'abc.xml', '0', '-1.xml', '99999999999999999999.xml', '0.xml.gz'])
    assert.equal((await anon.request('GET', `/sitemaps/${bad}`)).status, 404, bad);
});

test('a question past id 50,000 lands in the sitemap\'s second part', async () => {
  // Ids are the database's: a question with a large id is put there directly, as a big site
  // would have it; the triggers that keep the parts run all the same.
  const body = 'A question far down the id space, with a body long enough to be worth indexing: the docking station drops the external screen.';
  await sql(server, `INSERT INTO posts (id, kind, author_id, title, body_markdown, body_html, excerpt, created_at, last_activity_at)
    VALUES (100007, 'question', ${alice.user.id}, 'Far away question about the docking station', '${body}', '<p>${body}</p>', '', 1767225600, 1767225600)`);
  // Read by a member: the anonymous page cache keeps pages until the server itself writes, and
  // this row was written beside it.
  const parts = sitemapEntries((await alice.request('GET', '/sitemap.xml')).text).filter((p) => /\/sitemaps\/\d+\.xml$/.test(p.loc));
  assert.deepEqual(parts.map((p) => p.loc), [`${server.url}/sitemaps/0.xml`, `${server.url}/sitemaps/2.xml`]);
  const second = sitemapEntries((await alice.request('GET', '/sitemaps/2.xml')).text);
  assert.deepEqual(second.map((u) => u.loc), [`${server.url}/questions/100007/far-away-question-about-the-docking-station`]);
  assert.equal(second[0].lastmod, '2026-01-01T00:00:00Z');
  assert.ok(!sitemapEntries((await alice.request('GET', '/sitemaps/0.xml')).text).some((u) => u.loc.includes('/100007/')));
  assert.equal((await alice.request('GET', '/sitemaps/1.xml')).status, 404, 'a block that never held a question has no sitemap');
  assert.equal((await alice.request('GET', '/questions/100007')).status, 200);
});

test('absolute addresses follow the host asked for, and the page cache never serves one host\'s page to another', async () => {
  const q = await ask(alice, 'Which host am I reading this question on?', longBody);
  const one = await getWithHost(`/questions/${q}`, 'one.example');
  const two = await getWithHost(`/questions/${q}`, 'two.example:8080');
  assert.equal(metas(one.text).canonical, `http://one.example/questions/${q}/which-host-am-i-reading-this-question-on`);
  assert.equal(metas(two.text).canonical, `http://two.example:8080/questions/${q}/which-host-am-i-reading-this-question-on`);
  assert.equal(metas((await getWithHost(`/questions/${q}`, 'one.example')).text).canonical, metas(one.text).canonical);
  assert.match((await getWithHost('/robots.txt', 'two.example:8080')).text, /Sitemap: http:\/\/two.example:8080\/sitemap.xml/);
  const hostile = await getWithHost(`/questions/${q}`, 'evil.example/"><script>');
  assert.equal(new URL(metas(hostile.text).canonical).host, 'localhost');
});
