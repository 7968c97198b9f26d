// Notification mail through a real SMTP server: the message (headers, both parts, links from
// --public-url), one-click unsubscribe with a POST (RFC 8058), folding within the window, no
// mail to unverified addresses, and daily digests that a restart does not send again.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { Client, answer, ask, freshDataDir, peerdesk } from '../support/server.mjs';
import { confirmedMember, mailFrom, startMailServer, startSmtp } from '../support/smtp.mjs';

const fold = 4;  // seconds: --mail-fold-seconds
const daily = 5;  // seconds: --digest-daily-seconds
let relay, server, dataDir;
const args = ['--mail-fold-seconds', String(fold), '--digest-daily-seconds', String(daily), '--rate-limits', 'off'];

before(async () => {
  relay = await startSmtp();
  dataDir = await freshDataDir();
  // Newcomers may vote here, so that a digest can show a well-received answer.
  await peerdesk(['settings', 'set', 'privilege.upvote', '0', '--data', dataDir]);
  server = await startMailServer({ smtpUrl: `smtp://127.0.0.1:${relay.port}`, args, dataDir });
});
after(async () => {
  await server?.stop();
  await relay?.stop();
});

const member = (name, options) => confirmedMember(server, relay, name, options);

const notificationMails = (name) => relay.to(`${name}@example.com`).filter((m) => !/Confirm/.test(m.subject));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('an answer mails the asker at once: headers, both parts, the exact link, one-click unsubscribe', async () => {
  const ana = await member('ana');
  const ben = await member('ben');
  const q = await ask(ana, 'The “Ünïcode” printer drops every second page');
  const a = await answer(ben, q, 'Update the driver; version 4 fixed the duplex bug.');
  const mail = await relay.waitFor((m) => m.rcptTos.includes('ana@example.com') && /answered/.test(m.subject), 'the answer mail');
  assert.equal(mail.subject, 'ben answered your question “The “Ünïcode” printer drops every second page”');
  assert.match(mail.header('from'), /support@acme\.example/);
  assert.match(mail.header('to'), /ana@example\.com/);
  assert.ok(mail.header('message-id'));
  assert.equal(mail.header('auto-submitted'), 'auto-generated');
  assert.match(mail.header('content-type'), /multipart\/alternative/);
  const link = `${server.url}/questions/${q}#answer-${a}`;
  assert.ok(mail.text.includes(link), mail.text);
  assert.ok(mail.html.includes(`href="${link}"`), mail.html);
  assert.match(mail.html, /ben answered your question “The “Ünïcode” printer/);
  const unsubscribe = /^<(.+)>$/.exec(mail.header('list-unsubscribe'))?.[1];
  assert.ok(unsubscribe?.startsWith(`${server.url}/unsubscribe/`), mail.header('list-unsubscribe'));
  assert.equal(mail.header('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');

  // The link opened in a browser asks first; a GET changes nothing.
  const anonymous = new Client(server.url);
  const page = await anonymous.request('GET', new URL(unsubscribe).pathname);
  assert.equal(page.status, 200);
  assert.match(page.text, /<form method="post" action="\/unsubscribe\//);
  assert.equal((await ana.api('GET', '/me/preferences')).body.answer, 'email');
  // A forged or altered token is refused.
  const forged = new URL(unsubscribe).pathname.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
  assert.equal((await anonymous.request('POST', forged, { body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 404);
  assert.equal((await anonymous.request('POST', `/unsubscribe/${ben.user.id}-email-xyz`)).status, 404);
  // The mail client's one-click POST, with no session.
  const r = await anonymous.request('POST', new URL(unsubscribe).pathname, {
    body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal((await ana.api('GET', '/me/preferences')).body.answer, 'inbox');
  // No more mail, but the inbox still has it.
  const before = notificationMails('ana').length;
  const a2 = await answer(ben, q, 'Or print one-sided until the update is installed.');
  assert.ok((await ana.api('GET', '/notifications')).body.items.some((n) => n.post_id === a2));
  await sleep(fold * 1000 + 1500);
  assert.equal(notificationMails('ana').length, before);
});

test('later events on a thread fold into one mail after the window', async () => {
  const cleo = await member('cleo');
  const dan = await member('dan');
  const eve = await member('eve');
  const q = await ask(cleo, 'Scanner shows a grey line down every page');
  const started = Date.now();
  await answer(dan, q, 'Clean the glass strip on the left of the scanner bed.');
  await relay.waitFor((m) => m.rcptTos.includes('cleo@example.com') && /dan answered/.test(m.subject), 'the first mail');
  await answer(eve, q, 'A scratch on the strip does the same; replace it.');
  await answer(dan, q, 'Also check the calibration in the settings menu.');
  // Nothing more until the window has passed …
  await sleep(1000);
  if (Date.now() - started < fold * 1000) assert.equal(notificationMails('cleo').length, 1);
  // … then one mail with both.
  const folded = await relay.waitFor((m) => m.rcptTos.includes('cleo@example.com') && /2 new notifications/.test(m.subject), 'the folded mail', 20000);
  assert.match(folded.subject, /2 new notifications on “Scanner shows a grey line/);
  assert.match(folded.text, /eve answered your question/);
  assert.match(folded.text, /dan answered your question/);
  assert.ok(Date.now() - started >= fold * 1000 - 500);
  await sleep(fold * 1000 + 1000);
  assert.equal(notificationMails('cleo').length, 2);
});

test('an unverified address gets no notification mail; the inbox still has it', async () => {
  const finn = await member('finn', { verify: false });
  const gus = await member('gus');
  const q = await ask(finn, 'Where is the serial number on the model X router?');
  const a = await answer(gus, q, 'On a sticker under the stand, next to the barcode.');
  assert.ok((await finn.api('GET', '/notifications')).body.items.some((n) => n.post_id === a));
  // A later mail to someone else proves the worker has passed finn's notification.
  const hal = await member('hal');
  const q2 = await ask(hal, 'Marker question so that the mail worker runs a round');
  await answer(gus, q2, 'A marker answer for the mail worker round.');
  await relay.waitFor((m) => m.rcptTos.includes('hal@example.com') && /answered/.test(m.subject), 'the marker mail');
  assert.equal(notificationMails('finn').length, 0);
});

test('a daily digest: unanswered questions first, the best answers, reputation; not again after a restart', async () => {
  const ida = await member('ida');
  const jo = await member('joe');
  const kim = await member('kim');
  const q1 = await ask(jo, 'Answered: how to pair the keyboard?', 'A body long enough to post here.', ['keyboards']);
  assert.equal((await ida.api('POST', '/tags/keyboards/follow')).status, 204);
  const a1 = await answer(ida, q1, 'Hold the pairing key for five seconds until it blinks.');
  assert.equal((await jo.api('POST', `/posts/${a1}/vote`, { value: 1 })).status, 200, 'vote');
  const q2 = await ask(kim, 'Unanswered: the keyboard types double letters', 'A body long enough to post here.', ['keyboards']);
  // Daily from now on: the first digest covers the last period.
  assert.equal((await ida.api('PATCH', '/me/preferences', { followed_tag: 'daily' })).status, 200);
  const digest = await relay.waitFor((m) => m.rcptTos.includes('ida@example.com') && /daily digest/.test(m.subject) && m.text.includes('double letters'), 'the digest', 20000);
  const text = digest.text;
  assert.match(text, /You could help/);
  assert.ok(text.indexOf('double letters') < text.indexOf('how to pair the keyboard'), text);
  assert.ok(text.includes(`${server.url}/questions/${q2}`));
  assert.match(text, /best-received answers/);
  assert.match(text, /ida on "Answered: how to pair the keyboard\?" \(score 1\)/);
  assert.match(text, /Your reputation this day: \+10/);
  assert.match(digest.html, /You could help/);
  assert.match(digest.header('list-unsubscribe'), /\/unsubscribe\/\d+-digest-/);
  assert.equal(digest.header('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');

  // Restarted: what was in the digest is not sent again.
  const count = () => relay.to('ida@example.com').filter((m) => /daily digest/.test(m.subject)).length;
  const sent = count();
  await server.stop();
  server = await startMailServer({ smtpUrl: `smtp://127.0.0.1:${relay.port}`, args, dataDir });
  await sleep((daily * 2 + 2) * 1000);
  assert.equal(count(), sent);
  // Something new goes into the next one, and only that.
  const ida2 = new Client(server.url);
  await ida2.signIn('ida');
  const kim2 = new Client(server.url);
  await kim2.signIn('kim');
  await ask(kim2, 'Unanswered: the keyboard light stays off', 'A body long enough to post here.', ['keyboards']);
  const next = await relay.waitFor((m) => m.rcptTos.includes('ida@example.com') && /daily digest/.test(m.subject) && m.text.includes('light stays off'), 'the next digest', 20000);
  assert.ok(!next.text.includes('double letters'));
  // One-click unsubscribe from digests.
  const link = /^<(.+)>$/.exec(next.header('list-unsubscribe'))[1];
  const r = await new Client(server.url).request('POST', new URL(link).pathname, { body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 200);
  assert.equal((await ida2.api('GET', '/me/preferences')).body.followed_tag, 'inbox');
});
