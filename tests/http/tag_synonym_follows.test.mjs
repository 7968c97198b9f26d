// A tag made a synonym of another takes its followers along: who followed `wifi` follows
// `wireless` once mapped, once only, and hears of new `wireless` questions once.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { startServer, Client, freshDataDir, createAccount, eventually, ask } from '../support/server.mjs';

test('members following a tag made a synonym follow its tag, once, with nothing lost', async (t) => {
  const dir = await freshDataDir();
  await createAccount(dir, 'mona', 'moderator');
  const s = await startServer({ t, dataDir: dir });
  const mona = new Client(s.url);
  await mona.signIn('mona');
  const members = {};
  for (const name of ['ana', 'bob', 'cyd', 'dia', 'eli']) {
    members[name] = new Client(s.url);
    await members[name].signUp(name);
  }
  const { ana, bob: bo, cyd: cy, dia: di, eli: ed } = members;
  await ask(ana, 'Which wifi band should I use at home', undefined, ['wifi']);
  await ask(ana, 'The wireless printer is not found', undefined, ['wireless']);
  await ask(ana, 'The router restarts every night', undefined, ['router']);

  // bo follows wifi only; cy both names; di wifi, and had stopped following wireless; ed
  // follows router only, and must not be moved anywhere.
  assert.equal((await bo.api('POST', '/tags/wifi/follow')).status, 204);
  assert.equal((await cy.api('POST', '/tags/wifi/follow')).status, 204);
  assert.equal((await cy.api('POST', '/tags/wireless/follow')).status, 204);
  assert.equal((await di.api('POST', '/tags/wireless/follow')).status, 204);
  assert.equal((await di.api('DELETE', '/tags/wireless/follow')).status, 204);
  assert.equal((await di.api('POST', '/tags/wifi/follow')).status, 204);
  assert.equal((await ed.api('POST', '/tags/router/follow')).status, 204);
  const tagsFollowed = async (who) => (await who.api('GET', '/me/following')).body.tags.map((x) => x.name);
  assert.deepEqual(await tagsFollowed(cy), ['wifi', 'wireless'].sort());

  const mapped = await mona.api('POST', '/tags/wireless/synonyms', { name: 'wifi' });
  assert.equal(mapped.status, 201, mapped.text);

  assert.deepEqual(await tagsFollowed(bo), ['wireless']);
  assert.deepEqual(await tagsFollowed(cy), ['wireless'], 'one follow, not two');
  assert.deepEqual(await tagsFollowed(di), ['wireless'], 'the follow of wifi is not lost to the old unfollow');
  assert.deepEqual(await tagsFollowed(ed), ['router']);

  // The tag's page says they follow it, as if they had pressed Follow there.
  for (const who of [bo, cy, di]) {
    const page = await who.request('GET', '/tags/wireless');
    assert.equal(page.status, 200);
    assert.match(page.text, /aria-pressed="true"[^>]*>Following</, 'the wireless page says they follow it');
  }
  assert.match((await ed.request('GET', '/tags/wireless')).text, />Follow this tag</);

  // A new question under either name reaches each follower, once.
  const q = await ask(ana, 'Laptop will not join the wifi network', undefined, ['wifi']);
  for (const who of [bo, cy, di]) {
    await eventually(async () => (await who.api('GET', '/notifications')).body.items.some((n) => n.question_id === q), 'a follower told of the new question');
  }
  // The worker has had its chance to tell anyone twice.
  await new Promise((r) => setTimeout(r, 1500));
  for (const who of [bo, cy, di]) {
    const about = (await who.api('GET', '/notifications')).body.items.filter((n) => n.question_id === q);
    assert.deepEqual(about.map((n) => n.kind), ['followed_tag']);
  }
  assert.ok(!(await ed.api('GET', '/notifications')).body.items.some((n) => n.question_id === q));

  // Unfollowing the tag now is one click, and leaves nothing behind under the old name.
  assert.equal((await cy.api('DELETE', '/tags/wireless/follow')).status, 204);
  assert.deepEqual(await tagsFollowed(cy), []);
});
