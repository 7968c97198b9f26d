// The weekly digest through a real SMTP server, with the defaults a member never changed
// (followed tags: weekly): new questions in followed tags with the unanswered ones first, the
// best-received answers, the reputation change, the notifications the member chose to read
// weekly; none for an unverified address. And a relay that refuses: retried with a growing
// pause, the same Message-ID each time, delivered once.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { Client, answer, ask, freshDataDir, peerdesk } from '../support/server.mjs';
import { confirmedMember, startMailServer, startSmtp } from '../support/smtp.mjs';

const weekly = 8;  // seconds: --digest-weekly-seconds
let relay, server;

before(async () => {
  relay = await startSmtp();
  const dataDir = await freshDataDir();
  await peerdesk(['settings', 'set', 'privilege.upvote', '0', '--data', dataDir]);
  await peerdesk(['settings', 'set', 'privilege.comment', '0', '--data', dataDir]);
  server = await startMailServer({
    smtpUrl: `smtp://127.0.0.1:${relay.port}`, dataDir,
    args: ['--digest-weekly-seconds', String(weekly), '--mail-fold-seconds', '2', '--rate-limits', 'off'],
  });
});
after(async () => {
  await server?.stop();
  await relay?.stop();
});

const member = (name, options) => confirmedMember(server, relay, name, options);

test('a weekly digest by default for followed tags: unanswered first, best answers, reputation, weekly notifications', async () => {
  const lia = await member('lia');
  const max = await member('max', { verify: false });
  const ned = await member('ned');
  // Lia keeps the default for tags and reads comments weekly.
  assert.equal((await lia.api('GET', '/me/preferences')).body.followed_tag, 'weekly');
  assert.doesNotMatch((await lia.request('GET', '/account')).text, /not set up to send mail/);
  assert.equal((await lia.api('PATCH', '/me/preferences', { comment: 'weekly' })).status, 200);
  const q1 = await ask(ned, 'Answered: the modem light blinks orange', 'A body long enough to post here.', ['modems']);
  for (const who of [lia, max]) assert.equal((await who.api('POST', '/tags/modems/follow')).status, 204);
  const a1 = await answer(lia, q1, 'Orange means no line signal; check the cable to the wall socket.');
  assert.equal((await ned.api('POST', `/posts/${a1}/vote`, { value: 1 })).status, 200);
  const c = await ned.api('POST', `/posts/${a1}/comments`, { body: 'The cable was loose, thank you.' });
  assert.equal(c.status, 201, c.text);
  const q2 = await ask(ned, 'Unanswered: the modem drops the line at night', 'A body long enough to post here.', ['modems']);

  const digest = await relay.waitFor((m) => m.rcptTos.includes('lia@example.com') && /weekly digest/.test(m.subject) && m.text.includes('drops the line'),
    'the weekly digest', 30000);
  assert.match(digest.subject, /^Your weekly digest from /);
  const text = digest.text;
  assert.match(text, /here is what happened this week/);
  assert.match(text, /You could help/);
  assert.ok(text.indexOf('drops the line') < text.indexOf('light blinks orange'), text);
  assert.ok(text.includes(`${server.url}/questions/${q2}`), text);
  assert.match(text, /best-received answers/);
  assert.match(text, /lia on "Answered: the modem light blinks orange" \(score 1\)/);
  assert.match(text, /Your reputation this week: \+10/);
  // The comment lia chose to read weekly is in it, with its link; it was not mailed at once.
  assert.match(text, /Your notifications\r\n\* ned commented on your answer on “Answered: the modem light blinks orange”/);
  assert.ok(text.includes(`${server.url}/questions/${q1}#comment-${c.body.id}`), text);
  assert.match(digest.html, /ned commented on your answer/);
  assert.ok(!relay.to('lia@example.com').some((m) => /commented/.test(m.subject)));
  assert.match(digest.header('list-unsubscribe'), /\/unsubscribe\/\d+-digest-/);
  assert.equal(digest.header('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
  // No daily digest for lia (she chose none), and nothing for max's unverified address.
  await new Promise((r) => setTimeout(r, 3000));
  assert.ok(!relay.to('lia@example.com').some((m) => /daily digest/.test(m.subject)));
  assert.deepEqual(relay.to('max@example.com').map((m) => m.subject).filter((s) => !/Confirm/.test(s)), []);
});

test('a relay that refuses: retried with a doubling pause, the same Message-ID, delivered once', async (t) => {
  const refusing = await startSmtp({ t, refuse: 3 });
  const s = await startMailServer({ t, smtpUrl: `smtp://127.0.0.1:${refusing.port}` });
  const c = new Client(s.url);
  assert.equal((await c.api('POST', '/users', { username: 'ora', email: 'ora@example.com', password: 'correct horse battery staple' })).status, 201);
  const m = await refusing.waitFor((x) => x.rcptTos.includes('ora@example.com'), 'the mail after three refusals', 30000);
  assert.equal(refusing.refusals, 3);
  const id = m.header('message-id');
  const tries = s.errors.filter((l) => /not delivered/.test(l));
  assert.equal(tries.length, 3, s.errors.join('\n'));
  // Every attempt was the same message, and the pause doubled from --smtp-retry-seconds 1.
  assert.ok(tries.every((l) => l.startsWith(`mail: ${id} not delivered`)), tries.join('\n'));
  assert.deepEqual(tries.map((l) => Number(/next try in (\d+) s/.exec(l)[1])), [1, 2, 4]);
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(refusing.to('ora@example.com').length, 1);
  assert.ok(s.errors.some((l) => l.startsWith(`mail: ${id} accepted by`)));
});
