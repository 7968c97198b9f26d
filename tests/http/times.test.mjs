// Every time a person reads is in their words ("3 hours ago", "7 Nov 2026"), with the exact
// time on hover and the machine-readable one in datetime; never a raw timestamp.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { Client } from '../support/server.mjs';
import { startCommunity } from '../support/community.mjs';

let server, alice, bob, mod, q, a;

before(async () => {
  let clients;
  ({ server, clients } = await startCommunity({ staff: { mod: 'moderator' }, members: ['alice', 'bob'] }));
  ({ mod, alice, bob } = clients);
  q = (await alice.api('POST', '/questions', { title: 'When does the monthly invoice arrive?', body: 'I never know when to expect the invoice.', tags: ['billing'] })).body;
  a = (await bob.api('POST', `/questions/${q.id}/answers`, { body: 'On the first working day of each month.' })).body;
  await alice.api('POST', `/posts/${a.id}/comments`, { body: 'Thanks, that is what I needed to know.' });
  await alice.api('PATCH', `/questions/${q.id}`, { body: 'I never know when to expect the monthly invoice.' });
  await mod.api('POST', `/questions/${q.id}/lock`);
  await mod.api('POST', `/questions/${q.id}/unlock`);
  await bob.api('POST', `/posts/${q.id}/flags`, { reason: 'off_topic' });
});
after(async () => {
  await server.stop();
  assert.deepEqual(server.errors, []);
});

function times(html) {
  return [...html.matchAll(/<time\b([^>]*)>(.*?)<\/time>/gs)].map((m) => ({ attributes: m[1], text: m[2] }));
}

test('every <time> on every page has datetime, a readable text and the exact time as its title', async () => {
  const pages = [
    [alice, '/questions'], [alice, `/questions/${q.id}`], [alice, `/users/${alice.user.id}`],
    [alice, `/posts/${q.id}/revisions`], [mod, '/audit'], [mod, '/review'], [mod, `/questions/${q.id}`],
  ];
  for (const [who, path] of pages) {
    const r = await who.request('GET', path);
    assert.equal(r.status, 200, path);
    const found = times(r.text);
    assert.ok(found.length > 0, `${path} shows a time`);
    for (const t of found) {
      assert.match(t.attributes, /datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/, `${path}: ${t.attributes}`);
      assert.match(t.attributes, /title="\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC"/, `${path}: ${t.attributes}`);
      assert.match(t.text, /^(just now|\d+ (minute|hour|day)s? ago|\d{1,2} [A-Z][a-z]{2} \d{4})$/, `${path}: ${t.text}`);
    }
    // What is shown: scripts' contents (the thread's structured data has ISO times) are not.
    const shown = r.text.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, '');
    assert.doesNotMatch(shown, /\d{4}-\d\d-\d\dT\d\d:\d\d/, `${path} shows no raw timestamp`);
  }
});

test('the suspension banner says until when in words, with the exact time in datetime', async () => {
  const dave = new Client(server.url);
  await dave.signUp('dave');
  assert.equal((await mod.api('POST', `/users/${dave.user.id}/suspend`, { days: 3, reason: 'cooling off' })).status, 200);
  const r = await dave.request('GET', '/questions');
  const banner = /<p class="standing"[^>]*>(.*?)<\/p>/s.exec(r.text)?.[1] ?? '';
  assert.match(banner, /^Your account is suspended until <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="in (3 days|2 days)">\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC<\/time>\. Reason: cooling off$/);
  const refused = await dave.api('POST', `/posts/${q.id}/comments`, { body: 'Written while suspended, refused.' });
  assert.match(refused.body.error.message, /suspended until \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC\./);
});
