// Text goes out gzipped to clients that ask for it (and only to them), static files with their
// own ETag per encoding, so that conditional requests still answer 304.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startWithThread } from '../support/server.mjs';

let ctx;
before(async () => { ctx = await startWithThread(); });
after(async () => {
  await ctx?.server.stop();
  assert.deepEqual(ctx.server.errors, []);
});

// A raw GET: node's fetch would decompress behind our back.
function get(path, headers = {}) {
  const url = new URL(path, ctx.server.url);
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).setTimeout(10000, function () { this.destroy(new Error(`no answer to ${path} in 10 s`)); }).end();
  });
}

test('pages and JSON are gzipped when the client accepts it', async () => {
  const plain = await get(`/questions/${ctx.q.id}`);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.match(plain.headers.vary, /Accept-Encoding/);
  const packed = await get(`/questions/${ctx.q.id}`, { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(packed.headers['content-encoding'], 'gzip');
  assert.ok(packed.body.length < plain.body.length / 2, `${packed.body.length} vs ${plain.body.length}`);
  assert.equal(gunzipSync(packed.body).toString(), plain.body.toString());
  const refused = await get(`/questions/${ctx.q.id}`, { 'accept-encoding': 'gzip;q=0' });
  assert.equal(refused.headers['content-encoding'], undefined);
  // JSON large enough to be worth compressing (small answers go out plain), asked both ways.
  for (let i = 0; i < 3; i++)
    await ctx.bob.api('POST', `/questions/${ctx.q.id}/answers`, { body: `Another answer, number ${i}, long enough to make the thread's JSON worth compressing.` });
  const plainJson = await get(`/api/v1/questions/${ctx.q.id}`);
  assert.ok(plainJson.body.length >= 1024, `the question's JSON is ${plainJson.body.length} bytes`);
  const json = await get(`/api/v1/questions/${ctx.q.id}`, { 'accept-encoding': 'gzip' });
  assert.equal(json.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(json.body).toString(), plainJson.body.toString());
});

test('static files: a gzip representation with its own ETag, and 304 for either', async () => {
  const page = (await get('/')).body.toString();
  const css = /href="(\/static\/app\.css\?v=[0-9a-f]+)"/.exec(page)[1];
  const plain = await get(css);
  const packed = await get(css, { 'accept-encoding': 'gzip' });
  assert.equal(packed.headers['content-encoding'], 'gzip');
  assert.notEqual(packed.headers.etag, plain.headers.etag);
  assert.equal(gunzipSync(packed.body).toString(), plain.body.toString());
  assert.equal((await get(css, { 'accept-encoding': 'gzip', 'if-none-match': packed.headers.etag })).status, 304);
  assert.equal((await get(css, { 'if-none-match': plain.headers.etag })).status, 304);
  assert.match(packed.headers['cache-control'], /immutable/);
});
