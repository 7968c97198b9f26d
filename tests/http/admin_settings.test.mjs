// Settings in the browser and the moderator role: every key of `peerdesk settings`, checked
// with the command line's own rules and words, audited, and in force from the next request
// without a restart; the role holds from the member's very next request.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { startServer, freshDataDir, peerdesk, createAccount, Client, ask, answer } from '../support/server.mjs';

const password = 'correct horse battery staple';
let dir, server, admin, mod, ana, ben;

// The keys the command line's usage names, by group; the settings page and API must know each.
const keys = ['privilege.upvote', 'privilege.comment', 'privilege.downvote', 'privilege.edit', 'post.max_characters',
  'search.quality_boost', 'spam.new_user_reputation', 'spam.new_user_max_links', 'spam.hold_first_post',
  'spam.blocked_words', 'spam.blocked_domains', 'flags.hide_after', 'flags.established_reputation',
  'rate.questions_per_hour', 'rate.answers_per_hour', 'rate.comments_per_hour', 'rate.votes_per_hour',
  'rate.flags_per_hour', 'rate.searches_per_minute', 'rate.signups_per_hour', 'rate.failed_signins',
  'rate.widget_per_key_per_minute', 'rate.widget_per_address_per_minute', 'rate.uploads_per_hour',
  'uploads.max_kib', 'uploads.max_megapixels', 'uploads.quota_mib', 'uploads.deleted_retention_days',
  'ideas.vote_budget', 'site.og_image'];

// What `peerdesk settings set` says about a value, in a data directory of its own.
async function commandLineSays(key, value) {
  const scratch = await freshDataDir();
  try {
    await peerdesk(['settings', 'set', key, value, '--data', scratch]);
    return null;
  } catch (e) {
    return e.stderr.split('\n')[0].replace(/^peerdesk: /, '');
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

before(async () => {
  dir = await freshDataDir();
  await createAccount(dir, 'boss', 'admin', password);
  await createAccount(dir, 'mona', 'moderator', password);
  await peerdesk(['settings', 'set', 'privilege.comment', '40', '--data', dir]);
  server = await startServer({ dataDir: dir });
  admin = new Client(server.url);
  await admin.signIn('boss', password);
  mod = new Client(server.url);
  await mod.signIn('mona', password);
  ana = new Client(server.url);
  await ana.signUp('ana', password);
  ben = new Client(server.url);
  await ben.signUp('ben', password);
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('an admin reads every setting, as the server uses it', async () => {
  const r = await admin.api('GET', '/admin/settings');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), [...keys].sort());
  assert.equal(r.body['privilege.comment'], 40, 'the value the command line stored');
  assert.equal(r.body['privilege.upvote'], 15, 'the default');
  assert.equal(r.body['spam.blocked_words'], '');
  const page = await admin.request('GET', '/admin/settings');
  assert.equal(page.status, 200);
  for (const group of ['Privileges', 'Spam', 'Flags', 'Rate limits', 'Posting', 'Search'])
    assert.match(page.text, new RegExp(`<legend>${group}</legend>`));
  for (const key of keys) assert.match(page.text, new RegExp(`name="${key.replace('.', '\\.')}"`), key);
  assert.match(page.text, /name="privilege\.comment" type="number" min="0" max="1000000" value="40"/);
});

test('only admins: members and moderators are refused', async () => {
  for (const [who, status] of [[new Client(server.url), 401], [ana, 403], [mod, 403]]) {
    assert.equal((await who.api('GET', '/admin/settings')).status, status);
    const r = await who.api('PATCH', '/admin/settings', { 'privilege.upvote': 0 });
    assert.equal(r.status, status);
    assert.match(r.body.error.message, status === 401 ? /Sign in/ : /Only admins/);
  }
  assert.equal((await ana.request('GET', '/admin/settings')).status, 403);
  assert.equal((await mod.request('GET', '/admin/moderators')).status, 403);
  assert.equal((await ana.api('PUT', `/users/${ben.user.id}/role`, { role: 'moderator' })).status, 403);
  assert.equal((await admin.api('GET', '/admin/settings')).body['privilege.upvote'], 15, 'nothing changed');
});

test('a bad key or value is refused with the command line\'s words, and nothing is stored', async () => {
  const cases = [
    [{ 'privilege.nope': 3 }, 'privilege.nope', 'unknown_setting', ['privilege.nope', '3']],
    [{ 'privilege.upvote': -1 }, 'privilege.upvote', 'invalid_setting', ['privilege.upvote', '-1']],
    [{ 'flags.hide_after': '7x' }, 'flags.hide_after', 'invalid_setting', ['flags.hide_after', '7x']],
    [{ 'post.max_characters': 999 }, 'post.max_characters', 'invalid_setting', ['post.max_characters', '999']],
    [{ 'spam.hold_first_post': 2 }, 'spam.hold_first_post', 'invalid_setting', ['spam.hold_first_post', '2']],
  ];
  for (const [body, field, code, [key, value]] of cases) {
    const r = await admin.api('PATCH', '/admin/settings', { 'privilege.upvote': 3, ...body });
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal(r.body.error.field, field);
    assert.equal(r.body.error.code, code);
    const said = await commandLineSays(key, value);
    assert.ok(said, `the command line refuses ${key}=${value}`);
    assert.equal(r.body.error.message, said[0].toUpperCase() + said.slice(1) + '.', 'the same words');
  }
  for (const bad of [{ 'privilege.upvote': 1.5 }, { 'privilege.upvote': true }, { 'spam.blocked_words': ['a'] }]) {
    const r = await admin.api('PATCH', '/admin/settings', bad);
    assert.equal(r.status, 422, JSON.stringify(bad));
    assert.equal(r.body.error.field, Object.keys(bad)[0]);
  }
  assert.equal((await admin.api('PATCH', '/admin/settings', {})).status, 422);
  assert.equal((await admin.api('PATCH', '/admin/settings', '[1]')).status, 400);
  assert.equal((await admin.api('PATCH', '/admin/settings', { 'spam.blocked_words': 'x'.repeat(20001) })).status, 422);
  // privilege.upvote was sent beside every bad value: it is not stored either.
  assert.equal((await admin.api('GET', '/admin/settings')).body['privilege.upvote'], 15);
});

test('a change holds from the next request, without a restart, and is audited', async () => {
  const q = await ask(ben, 'Router restarts every hour', 'The router reboots itself every hour on the hour.');
  const a = await answer(admin, q, 'Update the firmware, then turn off the scheduled reboot.');
  // ana (reputation 1) may not vote up while it takes 15.
  const refused = await ana.api('POST', `/posts/${a}/vote`, { value: 1 });
  assert.equal(refused.status, 403);
  assert.match(refused.body.error.message, /needs 15 reputation/);

  const r = await admin.api('PATCH', '/admin/settings', { 'privilege.upvote': 1, 'spam.blocked_words': 'casino, free money' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body['privilege.upvote'], 1);
  assert.equal(r.body['spam.blocked_words'], 'casino, free money');
  assert.equal((await ana.api('POST', `/posts/${a}/vote`, { value: 1 })).status, 200, 'allowed at once');
  // The blocked words hold too: a post with one is held for review.
  const held = await ben.api('POST', '/questions', { title: 'Free money for router owners', body: 'Visit the casino for free money today.', tags: ['router'] });
  assert.equal(held.status, 202, held.text);

  const audit = await admin.api('GET', '/audit?action=change_setting');
  assert.equal(audit.status, 200);
  const reasons = audit.body.items.map((e) => e.reason);
  assert.ok(reasons.includes('privilege.upvote: 15 → 1'), reasons.join('; '));
  assert.ok(reasons.includes('spam.blocked_words:  → casino, free money'), reasons.join('; '));

  // Stored: a restart keeps it.
  await server.stop({ keepData: true });
  server = await startServer({ dataDir: dir });
  for (const client of [admin, mod, ana, ben]) client.base = server.url;
  assert.equal((await admin.api('GET', '/admin/settings')).body['privilege.upvote'], 1);
  assert.equal((await admin.api('PATCH', '/admin/settings', { 'privilege.upvote': 15, 'spam.blocked_words': '' })).status, 200);
});

test('the settings form saves what changed, and names a bad value beside its field', async () => {
  const page = await admin.request('GET', '/admin/settings');
  const fields = { csrf_token: admin.csrf };
  for (const m of page.text.matchAll(/name="([a-z_.]+)" type="number"[^>]* value="(\d+)"/g)) fields[m[1]] = m[2];
  fields['spam.blocked_words'] = '';
  fields['spam.blocked_domains'] = '';
  fields['site.og_image'] = '';
  assert.equal(Object.keys(fields).length, keys.length + 1, 'every setting is on the form');

  const bad = await admin.form('/admin/settings', { ...fields, 'rate.votes_per_hour': '0', 'privilege.edit': '500' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /id="setting-rate-votes_per_hour-error">Setting rate\.votes_per_hour must be a whole number from 1 to 100000, not 0\.</);
  assert.match(bad.text, /name="rate\.votes_per_hour" type="number"[^>]*value="0"[^>]*aria-invalid="true"/, 'what was typed stays');
  assert.equal((await admin.api('GET', '/admin/settings')).body['privilege.edit'], 2000, 'nothing stored');

  const good = await admin.form('/admin/settings', { ...fields, 'privilege.edit': '500' });
  assert.equal(good.status, 303);
  assert.equal(good.headers.get('location'), '/admin/settings?saved=1');
  assert.equal((await admin.api('GET', '/admin/settings')).body['privilege.edit'], 500);
  const audit = (await admin.api('GET', '/audit?action=change_setting')).body.items;
  assert.equal(audit.filter((e) => e.reason.startsWith('privilege.edit')).length, 1, 'only the change is audited');

  const refused = await admin.form('/admin/settings', { ...fields, csrf_token: 'forged' });
  assert.equal(refused.status, 403);
});

test('an admin gives and takes the moderator role; it holds from the member\'s next request', async () => {
  assert.equal((await ben.api('GET', '/review')).status, 403);
  const given = await admin.api('PUT', `/users/${ben.user.id}/role`, { role: 'moderator' });
  assert.equal(given.status, 200, given.text);
  assert.equal(given.body.role, 'moderator');
  assert.equal((await ben.api('GET', '/review')).status, 200, 'a moderator at once, same session');
  const taken = await admin.form('/admin/moderators', { csrf_token: admin.csrf, username: 'ben', role: 'member' });
  assert.equal(taken.status, 303);
  assert.equal((await ben.api('GET', '/review')).status, 403, 'a member again at once');

  const page = await admin.request('GET', '/admin/moderators');
  assert.match(page.text, />mona<\/a><\/td>\s*<td>moderator<\/td>/);
  assert.match(page.text, />boss<\/a><\/td>\s*<td>admin<\/td>/);
  assert.doesNotMatch(page.text, />ben<\/a><\/td>/);

  const audit = (await admin.api('GET', `/audit?action=change_role&user=ben`)).body.items.map((e) => e.reason);
  assert.deepEqual(audit, ['moderator → member', 'member → moderator']);

  assert.equal((await admin.api('PUT', `/users/${admin.user.id}/role`, { role: 'member' })).status, 409, 'an admin stays admin');
  const wrong = await admin.api('PUT', `/users/${ben.user.id}/role`, { role: 'admin' });
  assert.equal(wrong.status, 422);
  assert.equal(wrong.body.error.field, 'role');
  assert.equal((await admin.api('PUT', '/users/99999/role', { role: 'moderator' })).status, 404);
  const unknown = await admin.form('/admin/moderators', { csrf_token: admin.csrf, username: 'nobody', role: 'moderator' });
  assert.equal(unknown.status, 404);
  assert.match(unknown.text, /No member is called “nobody”/);
});
