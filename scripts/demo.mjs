// Loads the demo community; see scripts/demo.
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, peerdesk } from '../tests/support/server.mjs';

const dataDir = process.argv[2] || './data';
const password = 'demo password 2026';

const people = ['maria', 'kenji', 'priya', 'tom_h', 'lena.k', 'samir'];
const threads = [
  {
    asker: 'maria', tags: ['sync', 'windows'],
    title: 'Sync is stuck at 99% on Windows 11 — how do I get it moving?',
    body: 'Since yesterday the desktop app shows **Syncing… 99%** and never finishes. I tried signing out and in again.\n\n- App version 4.12.1\n- Windows 11 23H2\n\nAnything else I can try before reinstalling?',
    answers: [
      { by: 'kenji', body: 'This is almost always one file with a name Windows cannot store. Open **Settings → Sync → Activity** and look for a red item; rename it (trailing spaces and `:` are the usual culprits) and sync finishes within a minute.', accepted: true, votes: ['priya', 'tom_h', 'samir'], comments: [{ by: 'maria', body: 'That was it — a file called `notes: draft.txt`. Thank you!' }] },
      { by: 'priya', body: 'If the activity list is empty, quit the app from the tray icon and delete the cache folder:\n\n```powershell\nRemove-Item \"$env:LOCALAPPDATA\\AcmeDrive\\cache\" -Recurse\n```\n\nIt rebuilds the cache on the next start.', votes: ['tom_h'] },
    ],
    votes: ['kenji', 'priya', 'lena.k'],
  },
  {
    asker: 'tom_h', tags: ['billing', 'invoices'],
    title: 'Can I download all my invoices at once as a ZIP or CSV?',
    body: 'Our accountant wants every invoice from last year. Clicking each one is slow — is there a bulk export?',
    answers: [
      { by: 'lena.k', body: 'Yes: **Billing → Invoices**, tick the box in the header row to select all, then *Download → ZIP of PDFs*. For a spreadsheet choose *Download → CSV* instead; it has one row per invoice with net, tax and total.', accepted: true, votes: ['maria', 'kenji'] },
    ],
    votes: ['maria'],
  },
  {
    asker: 'samir', tags: ['sharing', 'permissions'],
    title: 'Shared folder link says "access denied" for people outside my team',
    body: 'I shared a folder with a customer using **Copy link**, but they get *Access denied*. Inside the team the link works.',
    answers: [
      { by: 'kenji', body: 'Links default to *People in your organisation*. Open the share dialog, click the link setting and switch it to **Anyone with the link**. Admins can disable that option, so if it is greyed out ask yours.', votes: ['samir', 'maria'], comments: [{ by: 'samir', body: 'Greyed out for me — I will ask our admin.' }, { by: 'priya', body: 'Admins find it under Admin → Security → External sharing.', replyToFirst: true }] },
    ],
    votes: ['tom_h', 'lena.k'],
  },
  {
    asker: 'lena.k', tags: ['mobile', 'ios', 'photos'],
    title: 'iPhone camera upload skips Live Photos — expected?',
    body: 'Camera upload is on, regular photos arrive, but Live Photos never do. Is this a setting or a bug?',
    answers: [
      { by: 'priya', body: 'It is a setting: **Camera upload → Formats → Live Photos** is off by default because they are twice the size. Turn it on and the app uploads the backlog the next time it is open.', accepted: true, votes: ['lena.k', 'maria', 'samir'] },
    ],
    votes: ['kenji'],
  },
  {
    asker: 'kenji', tags: ['api', 'automation'],
    title: 'What is the rate limit of the public API for uploads?',
    body: 'I am writing a script that uploads nightly backups via the API. How many requests per minute can I send before I get HTTP 429?',
    answers: [],
    votes: ['priya'],
  },
  {
    asker: 'priya', tags: ['account', 'security'],
    title: 'How do I turn on two-factor authentication with a hardware key?',
    body: 'I have a YubiKey and want to use it instead of SMS codes. Where is the option?',
    answers: [
      { by: 'tom_h', body: 'Go to **Account → Security → Two-step verification**, choose *Security key* and follow the prompts; keep a second method (authenticator app) as a fallback in case you lose the key.', votes: ['priya'] },
    ],
    votes: ['maria', 'samir'],
  },
];

// Ideas customers proposed, who voted, and what the team answered (by the moderator).
const ideas = [
  {
    by: 'maria', tags: ['billing', 'export'], votes: ['kenji', 'priya', 'samir', 'lena.k'],
    title: 'Export invoices as a spreadsheet',
    body: 'Accounting asks for a **CSV** of every invoice each month. A button on the invoices page would save us an hour of copying.',
    linkTo: 'invoices at once',
    statuses: [
      ['planned', 'Thanks for the votes and the questions behind them. We are building this for the next release.'],
      ['delivered', 'Shipped in **4.13**: *Billing → Invoices → Export CSV* exports every invoice of the period you choose.'],
    ],
  },
  {
    by: 'priya', tags: ['sync'], votes: ['maria', 'tom_h', 'samir'],
    title: 'Pause sync for one folder only',
    body: 'Pausing sync stops everything. I would like to pause one large folder while the rest keeps syncing.',
    statuses: [['in_progress', 'Being built now; a preview comes to the beta channel first.']],
  },
  {
    by: 'kenji', tags: ['dashboard'], votes: ['priya', 'lena.k'],
    title: 'Dark mode for the web dashboard',
    body: 'A dark theme for the dashboard, for people who work late.',
    statuses: [['under_review', 'We are looking at how much of the dashboard this touches.']],
  },
  { by: 'samir', tags: ['api'], votes: ['tom_h'], title: 'Webhooks when a shared file changes', body: 'Our integration polls the API every minute; a webhook would be kinder to both sides.', statuses: [] },
];

async function main() {
  const { stdout } = await peerdesk(['migrate', '--data', dataDir]);
  process.stdout.write(stdout);
  const keys = { 'privilege.upvote': 15, 'privilege.comment': 50, 'privilege.downvote': 125, 'privilege.edit': 2000 };
  // Demo users are new, so privileges are opened for the load and restored afterwards.
  for (const key of Object.keys(keys)) await peerdesk(['settings', 'set', key, '1', '--data', dataDir]);
  const server = await startServer({ dataDir });
  try {
    const visitor = new Client(server.url);
    const existing = await visitor.api('GET', '/questions');
    if (existing.body.total > 0) {
      console.log('demo: the community already has questions; nothing loaded');
      return;
    }
    const users = {};
    for (const name of people) {
      const c = new Client(server.url);
      await c.signUp(name, password);
      users[name] = c;
    }
    const ok = (r) => { if (r.status >= 300) throw new Error(r.text); return r.body; };
    for (const t of threads) {
      const q = ok(await users[t.asker].api('POST', '/questions', { title: t.title, body: t.body, tags: t.tags }));
      for (const voter of t.votes) ok(await users[voter].api('POST', `/posts/${q.id}/vote`, { value: 1 }));
      for (const a of t.answers) {
        const answer = ok(await users[a.by].api('POST', `/questions/${q.id}/answers`, { body: a.body }));
        for (const voter of a.votes || []) ok(await users[voter].api('POST', `/posts/${answer.id}/vote`, { value: 1 }));
        let first;
        for (const c of a.comments || []) {
          const made = ok(await users[c.by].api('POST', `/posts/${answer.id}/comments`, { body: c.body, reply_to: c.replyToFirst ? first : undefined }));
          first = first || made.id;
        }
        if (a.accepted) ok(await users[t.asker].api('POST', `/answers/${answer.id}/accept`));
      }
    }
    // Something for the moderator to review: a new member's answer with two links is held.
    const newcomer = new Client(server.url);
    await newcomer.signUp('newcomer', password);
    const held = await newcomer.api('POST', '/questions/1/answers', {
      body: 'Try the sync repair tool from https://example.com/repair and the guide at https://example.org/sync-guide.',
    });
    if (held.status !== 202) throw new Error('the demo held answer was not held: ' + held.text);
    const dir = await mkdtemp(join(tmpdir(), 'peerdesk-demo-'));
    await writeFile(join(dir, 'pw'), password + '\n');
    await peerdesk(['user', 'create', 'moderator', '--email', 'moderator@example.com', '--password-file', join(dir, 'pw'), '--role', 'moderator', '--data', dataDir]);
    // An admin too, so that a newcomer can see every role's pages (settings, widget keys, audit).
    await peerdesk(['user', 'create', 'admin', '--email', 'admin@example.com', '--password-file', join(dir, 'pw'), '--role', 'admin', '--data', dataDir]);
    await rm(dir, { recursive: true, force: true });
    const moderator = new Client(server.url);
    await moderator.signIn('moderator', password);
    const questions = ok(await visitor.api('GET', '/questions?pagesize=100')).items;
    for (const idea of ideas) {
      const made = ok(await users[idea.by].api('POST', '/ideas', { title: idea.title, body: idea.body, tags: idea.tags }));
      for (const voter of idea.votes) ok(await users[voter].api('POST', `/ideas/${made.id}/vote`));
      const linked = idea.linkTo && questions.find((q) => q.title.includes(idea.linkTo));
      if (linked) ok(await moderator.api('POST', `/ideas/${made.id}/links`, { question_id: linked.id }));
      for (const [status, response] of idea.statuses) ok(await moderator.api('POST', `/ideas/${made.id}/status`, { status, response }));
    }
    console.log(`demo: loaded ${people.length} people, ${threads.length} questions and ${ideas.length} ideas, a moderator (user "moderator") ` +
      `with one held answer to review and an admin (user "admin")`);
    console.log(`demo: sign in as ${[...people, 'newcomer', 'moderator', 'admin'].join(', ')}; every demo password is "${password}"`);
  } finally {
    await server.stop();
    for (const [key, value] of Object.entries(keys)) await peerdesk(['settings', 'set', key, String(value), '--data', dataDir]);
  }
}

main().catch((e) => { console.error('demo:', e.message); process.exit(1); });
