// Image uploads as members and readers meet them: an image goes up, comes back clean (no
// location, no comments, turned the right way), shows in a post, keeps its caching and
// sandboxing headers, counts against a quota, follows the post's deletion, and is in backups.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir, createAccount } from '../support/server.mjs';
import { png, gif, jpeg, withExif, webp, dimensions, upload } from '../support/images.mjs';

async function files(dir) {
  const out = [];
  for (const sub of await readdir(dir).catch(() => [])) {
    for (const f of await readdir(join(dir, sub))) out.push(join(dir, sub, f));
  }
  return out;
}

test('a PNG goes up, comes back without its text chunks, with the headers that keep it inert', async (t) => {
  const s = await startServer({ t });
  const ana = new Client(s.url);
  await ana.signUp('ana');
  const r = await upload(ana, png(64, 48, { extraChunks: [['tEXt', 'Comment\0where I live: 48.1 N']] }), { filename: 'screen.png' });
  assert.equal(r.status, 201, r.text);
  assert.match(r.body.url, /^\/uploads\/[0-9a-f]{64}\.png$/);
  assert.deepEqual([r.body.width, r.body.height, r.body.content_type], [64, 48, 'image/png']);
  const got = await fetch(s.url + r.body.url);
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'image/png');
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
  assert.match(got.headers.get('content-security-policy'), /sandbox/);
  assert.match(got.headers.get('content-security-policy'), /default-src 'none'/);
  assert.match(got.headers.get('cache-control'), /max-age=31536000.*immutable/);
  const bytes = Buffer.from(await got.arrayBuffer());
  assert.equal(bytes.length, r.body.bytes);
  assert.deepEqual(dimensions(bytes), [64, 48]);
  assert.ok(!bytes.includes('where I live'), 'the text chunk is gone');
  // The browser asks again with the ETag: nothing to send.
  const again = await fetch(s.url + r.body.url, { headers: { 'if-none-match': got.headers.get('etag') } });
  assert.equal(again.status, 304);
  // Stored once under the data directory, named by its content; the same image again is the same file.
  const second = await upload(ana, png(64, 48, { extraChunks: [['tEXt', 'Comment\0other text']] }));
  assert.equal(second.body.url, r.body.url, 'content-addressed: the same pixels, the same file');
  assert.equal((await files(join(s.dir, 'uploads'))).length, 1);
  // Signed out: no upload.
  const anon = new Client(s.url);
  assert.equal((await upload(anon, png(8, 8))).status, 401);
});

test('a phone photo: GPS gone, turned the way it was held; a 2 MB photo goes up and back', async (t) => {
  const s = await startServer({ t });
  const ana = new Client(s.url);
  await ana.signUp('ana');
  const photo = withExif(await jpeg(320, 200), 6);
  assert.ok(photo.includes('Exif'));
  const r = await upload(ana, photo, { filename: 'IMG_0001.jpg', type: 'image/jpeg' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.body.width, r.body.height], [200, 320], 'orientation 6 is a quarter turn');
  const bytes = Buffer.from(await (await fetch(s.url + r.body.url)).arrayBuffer());
  assert.ok(!bytes.includes('Exif'), 'no EXIF block');
  assert.equal(bytes.indexOf(Buffer.from([0xff, 0xe1])), -1, 'no APP1 segment at all');
  assert.deepEqual(dimensions(bytes), [200, 320]);

  // A 2 MB photo: accepted and served back (its 200 ms goal is timed by scripts/bench, not here:
  // a loaded machine made this test fail on time alone).
  const big = await jpeg(2000, 1500, { quality: 95 });
  assert.ok(big.length > 1.5e6, `a photo of ${big.length} bytes`);
  const started = performance.now();
  const up = await upload(ana, big, { filename: 'big.jpg', type: 'image/jpeg' });
  const back = await fetch(s.url + up.body.url);
  await back.arrayBuffer();
  const ms = performance.now() - started;
  assert.equal(up.status, 201, up.text);
  console.log(`2 MB photo (${big.length} bytes): uploaded and served in ${ms.toFixed(0)} ms`);
});

test('GIFs stay animated without their comments; WebP goes up too', async (t) => {
  const s = await startServer({ t });
  const ana = new Client(s.url);
  await ana.signUp('ana');
  const r = await upload(ana, gif(10, 6, 3, 'secret comment'), { filename: 'spin.gif', type: 'image/gif' });
  assert.equal(r.status, 201, r.text);
  const bytes = Buffer.from(await (await fetch(s.url + r.body.url)).arrayBuffer());
  assert.ok(!bytes.includes('secret comment'));
  assert.ok(bytes.includes('NETSCAPE2.0'), 'it still loops');
  const frames = bytes.toString('latin1').split('\x21\xf9\x04').length - 1;
  assert.equal(frames, 3, 'three frames, each with its timing');
  const w = await upload(ana, await webp(40, 30), { filename: 'a.webp', type: 'image/webp' });
  assert.equal(w.status, 201, w.text);
  assert.equal(w.body.content_type, 'image/webp');
  assert.deepEqual([w.body.width, w.body.height], [40, 30]);
});

test('an uploaded image shows in the post; an image from another site stays a link', async (t) => {
  const s = await startServer({ t });
  const ana = new Client(s.url);
  await ana.signUp('ana');
  const { url } = (await upload(ana, png(30, 20))).body;
  const q = await ana.api('POST', '/questions', {
    title: 'The export button is greyed out',
    body: `Here is what I see:\n\n![the greyed-out button](${url})\n\nand ![tracker](https://example.com/pixel.png)`,
    tags: ['export'],
  });
  assert.equal(q.status, 201, q.text);
  assert.ok(q.body.body_html.includes(`<img src="${url}" alt="the greyed-out button"`), q.body.body_html);
  assert.ok(!q.body.body_html.includes('<img src="https://example.com'), 'no image from another site');
  assert.match(q.body.body_html, /<a href="https:\/\/example.com\/pixel.png"[^>]*>Image: tracker<\/a>/);
  const page = await (await fetch(`${s.url}/questions/${q.body.id}`)).text();
  assert.ok(page.includes(`<img src="${url}"`));
});

test('quota, and images of a deleted post after the retention', async (t) => {
  const dir = await freshDataDir();
  await createAccount(dir, 'mona', 'moderator');
  await peerdesk(['settings', 'set', 'uploads.quota_mib', '1', '--data', dir]);
  await peerdesk(['settings', 'set', 'uploads.deleted_retention_days', '0', '--data', dir]);
  await assert.rejects(peerdesk(['settings', 'set', 'uploads.max_kib', '0', '--data', dir]), /uploads.max_kib must be a whole number from 16/);
  const s = await startServer({ t, dataDir: dir });
  const ana = new Client(s.url);
  await ana.signUp('ana');
  const mona = new Client(s.url);
  await mona.signIn('mona');
  const shown = (await upload(ana, png(50, 50, { seed: 1 }))).body.url;
  const q = await ana.api('POST', '/questions', { title: 'A question with a picture in it', body: `Look at this: ![it](${shown})`, tags: ['pictures'] });
  assert.equal(q.status, 201, q.text);
  assert.equal((await fetch(s.url + shown)).status, 200);
  assert.equal((await mona.api('DELETE', `/posts/${q.body.id}`, { reason: 'test' })).status, 204);
  const gone = await fetch(s.url + shown);
  assert.equal(gone.status, 410, 'readers no longer get it');
  assert.equal((await mona.request('GET', shown)).status, 200, 'moderators still see what was posted');
  // A quarter megabyte or so of noise at a time, until the quota of 1 MiB refuses one.
  const noisy = (seed) => png(420, 420, { seed });
  const statuses = [];
  let over;
  for (let seed = 2; seed < 12 && !over; seed++) {
    const r = await upload(ana, noisy(seed));
    statuses.push(r.status);
    if (r.status !== 201) over = r;
  }
  assert.equal(statuses[0], 201);
  assert.ok(over, `statuses ${statuses}`);
  assert.equal(over.status, 413, over.text);
  assert.equal(over.body.error.code, 'quota_exceeded');
});

test('peerdesk backup copies the uploaded images beside the database', async (t) => {
  const s = await startServer({ t });
  const ana = new Client(s.url);
  await ana.signUp('ana');
  const { url } = (await upload(ana, png(12, 12))).body;
  const out = join(await freshDataDir(), 'copy.db');
  const { stdout } = await peerdesk(['backup', out, '--data', s.dir]);
  assert.match(stdout, /1 uploaded images/);
  const copied = await files(out + '-uploads');
  assert.equal(copied.length, 1);
  assert.ok(copied[0].endsWith(url.slice('/uploads/'.length)));
  assert.deepEqual(await readFile(copied[0]), Buffer.from(await (await fetch(s.url + url)).arrayBuffer()));
  await rm(out + '-uploads', { recursive: true, force: true });
});

test('drafts: kept per place, too large is 413, dropped when posted, back in the form', async (t) => {
  const s = await startServer({ t });
  const ana = new Client(s.url);
  await ana.signUp('ana');
  const bob = new Client(s.url);
  await bob.signUp('bob');
  assert.equal((await ana.api('GET', '/drafts/ask')).status, 404);
  const put = await ana.api('PUT', '/drafts/ask', { title: 'How do I', body: 'I tried <b>this</b>', tags: ['billing'] });
  assert.equal(put.status, 200, put.text);
  const got = await ana.api('GET', '/drafts/ask');
  assert.deepEqual([got.body.title, got.body.body, got.body.tags], ['How do I', 'I tried <b>this</b>', ['billing']]);
  assert.equal((await bob.api('GET', '/drafts/ask')).status, 404, 'drafts are the member\'s own');
  // Back in the ask form, escaped.
  const form = await ana.request('GET', '/questions/ask');
  assert.ok(form.text.includes('I tried &lt;b&gt;this&lt;/b&gt;</textarea>'), 'the body is back');
  assert.ok(form.text.includes('value="How do I"'));
  assert.equal((await ana.api('PUT', '/drafts/ask', { body: 'x'.repeat(130000) })).status, 413);
  assert.equal((await ana.api('PUT', '/drafts/answer-999', { body: 'x' })).status, 404);
  assert.equal((await ana.api('PUT', '/drafts/elsewhere', { body: 'x' })).status, 404);
  assert.equal((await new Client(s.url).api('GET', '/drafts/ask')).status, 401);
  // Posting the question drops its draft; an answer's draft likewise.
  const q = await ana.api('POST', '/questions', { title: 'How do I export invoices?', body: 'I tried the export button.', tags: ['billing'] });
  assert.equal((await ana.api('GET', '/drafts/ask')).status, 404);
  assert.equal((await bob.api('PUT', `/drafts/answer-${q.body.id}`, { body: 'Open Settings, then' })).status, 200);
  assert.equal((await bob.api('PUT', `/drafts/answer-${q.body.id}`, { title: 'no', body: 'x' })).status, 422);
  const page = await bob.request('GET', `/questions/${q.body.id}`);
  assert.ok(page.text.includes('>Open Settings, then</textarea>'), 'the answer box holds the draft');
  assert.equal((await bob.api('POST', `/questions/${q.body.id}/answers`, { body: 'Open Settings, then Export, then CSV.' })).status, 201);
  assert.equal((await bob.api('GET', `/drafts/answer-${q.body.id}`)).status, 404);
  assert.equal((await ana.api('PUT', '/drafts/ask', { body: 'again' })).status, 200);
  assert.equal((await ana.api('DELETE', '/drafts/ask')).status, 204);
  assert.equal((await ana.api('GET', '/drafts/ask')).status, 404);
});

test('without JavaScript: the editor posts its text and the file, and comes back with the image in it', async (t) => {
  const s = await startServer({ t });
  const ana = new Client(s.url);
  await ana.signUp('ana');
  const form = await ana.request('GET', '/questions/ask');
  const token = /name="csrf_token" value="([^"]+)"/.exec(form.text)[1];
  assert.ok(form.text.includes('formaction="/uploads"'), 'the form has an upload button');
  const r = await upload(ana, png(20, 20), {
    path: '/uploads', fields: { csrf_token: token, place: 'ask', title: 'My screen is blank', body: 'It looks like this:', tags: 'display' },
  });
  assert.equal(r.status, 303, r.text);
  assert.equal(r.headers.get('location'), '/questions/ask');
  const back = await ana.request('GET', '/questions/ask');
  assert.match(back.text, /It looks like this:\n\n!\[image\]\(\/uploads\/[0-9a-f]{64}\.png\)/);
  assert.ok(back.text.includes('value="My screen is blank"'));
  // A refused file keeps the text and says why.
  const bad = await upload(ana, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), {
    path: '/uploads', filename: 'x.svg', type: 'image/svg+xml', fields: { csrf_token: token, place: 'ask', body: 'Kept text' },
  });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /SVG drawings are not accepted/);
  assert.match((await ana.request('GET', '/questions/ask')).text, />Kept text<\/textarea>/);
  // Without the token: refused.
  const forged = await upload(ana, png(20, 20), { path: '/uploads', fields: { place: 'ask', body: 'x' } });
  assert.equal(forged.status, 403);
});

test('uploads are rate-limited per member, with Retry-After', async (t) => {
  const dir = await freshDataDir();
  await peerdesk(['settings', 'set', 'rate.uploads_per_hour', '2', '--data', dir]);
  const s = await startServer({ t, dataDir: dir, args: ['--rate-limits', 'on'] });
  const ana = new Client(s.url);
  await ana.signUp('ana');
  assert.equal((await upload(ana, png(8, 8, { seed: 1 }))).status, 201);
  assert.equal((await upload(ana, png(8, 8, { seed: 2 }))).status, 201);
  const third = await upload(ana, png(8, 8, { seed: 3 }));
  assert.equal(third.status, 429, third.text);
  assert.match(third.body.error.message, /uploading images/);
  assert.ok(Number(third.headers.get('retry-after')) > 0);
  assert.equal((await files(join(s.dir, 'uploads'))).length, 2, 'the refused one is not stored');
});
