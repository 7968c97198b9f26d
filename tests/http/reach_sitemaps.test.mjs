// The sitemap beyond threads: ideas in the posts' parts, tag pages and the profiles of members
// who have posted in parts of their own; what was removed (a deleted idea, a tag left empty or
// made a synonym, a member's only post deleted) leaves the sitemap, and every address listed
// answers 200.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { startServer, Client, freshDataDir, createAccount, ask, eventually } from '../support/server.mjs';
import { sitemapEntries, sql } from '../support/reach.mjs';

const body = 'After the firmware update the router keeps blinking red and no device can connect to the wireless network any more.';

test('ideas, tags and members with posts are in the sitemap; what was removed is not', async (t) => {
  const dir = await freshDataDir();
  await createAccount(dir, 'mona', 'moderator');
  const s = await startServer({ t, dataDir: dir });
  const mona = new Client(s.url);
  await mona.signIn('mona');
  const ana = new Client(s.url), bob = new Client(s.url), cyd = new Client(s.url), dia = new Client(s.url);
  await ana.signUp('ana');
  await bob.signUp('bob');
  await cyd.signUp('cyd');
  await dia.signUp('dia');
  // Read by a member: sitemaps are never kept by the page cache, but the pages checked are.
  const get = (path) => ana.request('GET', path);
  const index = async () => sitemapEntries((await get('/sitemap.xml')).text).map((e) => new URL(e.loc).pathname);
  const listed = async (part) => {
    const r = await get(part);
    assert.equal(r.status, 200, part);
    assert.match(r.headers.get('content-type'), /^application\/xml/);
    assert.match(r.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
    return sitemapEntries(r.text).map((e) => new URL(e.loc).pathname);
  };

  await ask(ana, 'Router blinks red after the firmware update', body, ['router', 'firmware']);
  const lonely = await ask(bob, 'A question alone in its tag, about a stylus', body, ['stylus']);
  await ask(ana, 'Which wifi band should I use for the printer', body, ['wifi']);
  const idea = await ana.api('POST', '/ideas', { title: 'Export the reports of the whole team at once', body: 'It would help to export the reports of the whole team at once, every month.', tags: ['router'] });
  assert.equal(idea.status, 201, idea.text);
  const doomed = await ana.api('POST', '/ideas', { title: 'An idea its author will take back soon', body: 'It would help to have something here that the author will take back.', tags: ['router'] });
  assert.equal(doomed.status, 201, doomed.text);

  // The index names the posts' part and a part each for tags and for members, with times.
  const parts = await index();
  assert.deepEqual(parts.filter((p) => /^\/sitemaps\/\d+\.xml$/.test(p)), ['/sitemaps/0.xml']);
  assert.ok(parts.includes('/sitemaps/tags-0.xml'), parts.join(' '));
  await eventually(async () => (await index()).includes('/sitemaps/users-0.xml'), 'the members\' part once their figures are counted');
  const indexText = (await get('/sitemap.xml')).text;
  for (const e of sitemapEntries(indexText)) assert.match(e.lastmod, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, e.loc);

  // Ideas sit beside the threads, at their own address.
  const posts = await listed('/sitemaps/0.xml');
  assert.ok(posts.includes(`/ideas/${idea.body.id}`), posts.join(' '));
  assert.ok(posts.includes(`/ideas/${doomed.body.id}`));
  // Tags with questions, by name.
  const tags = await listed('/sitemaps/tags-0.xml');
  for (const name of ['router', 'firmware', 'stylus', 'wifi']) assert.ok(tags.includes(`/tags/${name}`), `${name} in ${tags.join(' ')}`);
  // Members who posted; one who never did is not worth a crawler's visit.
  const ids = { ana: ana.user.id, bob: bob.user.id, cyd: cyd.user.id };
  await eventually(async () => {
    const users = await listed('/sitemaps/users-0.xml');
    return users.includes(`/users/${ids.ana}`) && users.includes(`/users/${ids.bob}`);
  }, 'the members who posted listed');
  assert.ok(!(await listed('/sitemaps/users-0.xml')).includes(`/users/${ids.cyd}`), 'a member without posts is not listed');

  // Every address listed answers 200, and none of them asks not to be indexed.
  for (const path of [...(await listed('/sitemaps/0.xml')), ...(await listed('/sitemaps/tags-0.xml')), ...(await listed('/sitemaps/users-0.xml'))]) {
    const page = await get(path);
    assert.equal(page.status, 200, path);
    assert.doesNotMatch(page.text.slice(0, page.text.indexOf('</head>')), /name="robots" content="noindex"/, path);
  }

  // Figures written again unchanged (the members' worker does so after every vote) and a tag
  // saved as it was leave the parts' times alone: a lastmod that moves without a change would
  // teach crawlers to ignore it.
  const usersStamp = (await get('/sitemaps/users-0.xml')).headers.get('last-modified');
  const tagsBefore = (await get('/sitemaps/tags-0.xml')).headers.get('last-modified');
  await new Promise((r) => setTimeout(r, 1100));
  await sql(s, `UPDATE member_stats SET questions = questions, answers = answers, accepted = accepted WHERE user_id = ${ids.ana}`);
  await sql(s, "UPDATE tags SET question_count = question_count, description = description WHERE name = 'router'");
  assert.equal((await get('/sitemaps/users-0.xml')).headers.get('last-modified'), usersStamp);
  assert.equal((await get('/sitemaps/tags-0.xml')).headers.get('last-modified'), tagsBefore);

  // What was removed leaves: the idea its author deleted; the tag whose only question went;
  // the tag made a synonym; the member whose only post went (once their figures are counted).
  const tagsStamp = (await get('/sitemaps/tags-0.xml')).headers.get('last-modified');
  await new Promise((r) => setTimeout(r, 1100));  // times are in whole seconds
  assert.equal((await ana.api('DELETE', `/posts/${doomed.body.id}`)).status, 204);
  assert.equal((await bob.api('DELETE', `/posts/${lonely}`)).status, 204);
  assert.equal((await mona.api('POST', '/tags/wireless/synonyms', { name: 'wifi' })).status, 404, 'no wireless tag yet');
  await ask(dia, 'The wireless keyboard stops after sleep', body, ['wireless']);
  assert.equal((await mona.api('POST', '/tags/wireless/synonyms', { name: 'wifi' })).status, 201);

  const afterPosts = await listed('/sitemaps/0.xml');
  assert.ok(!afterPosts.includes(`/ideas/${doomed.body.id}`), 'a deleted idea leaves the sitemap');
  assert.ok(afterPosts.includes(`/ideas/${idea.body.id}`));
  const after = await get('/sitemaps/tags-0.xml');
  assert.notEqual(after.headers.get('last-modified'), tagsStamp, 'the tags\' part has a new time');
  assert.equal((await get('/sitemaps/tags-0.xml')).status, 200);
  const afterTags = sitemapEntries(after.text).map((e) => new URL(e.loc).pathname);
  assert.ok(!afterTags.includes('/tags/stylus'), 'a tag left without questions leaves the sitemap');
  assert.ok(!afterTags.includes('/tags/wifi'), 'a synonym is not a page of its own');
  assert.ok(afterTags.includes('/tags/wireless') && afterTags.includes('/tags/router'));
  assert.equal((await ana.request('GET', '/sitemaps/tags-0.xml', { headers: { 'if-modified-since': after.headers.get('last-modified') } })).status, 304);
  await eventually(async () => !(await listed('/sitemaps/users-0.xml')).includes(`/users/${ids.bob}`), 'bob, whose only post went, leaves the members\' part');
  assert.ok((await listed('/sitemaps/users-0.xml')).includes(`/users/${ids.ana}`));

  // A tag far down the id space gets a part of its own, found from the index.
  await sql(s, "INSERT INTO tags (id, name, question_count) VALUES (120001, 'faraway', 1)");
  assert.ok((await index()).includes('/sitemaps/tags-2.xml'));
  assert.deepEqual(await listed('/sitemaps/tags-2.xml'), ['/tags/faraway']);
  for (const bad of ['tags-1.xml', 'users-9.xml', 'tags-.xml', 'tags-x.xml', 'people-0.xml', 'tags-0', 'tags--1.xml'])
    assert.equal((await get(`/sitemaps/${bad}`)).status, 404, bad);
});
