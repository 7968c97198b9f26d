// Every input that can be wrong gets a clear 4xx with a message, and nothing half-written.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { Client, startWithThread, threadTitle } from '../support/server.mjs';

let server, alice, bob, q, a;
before(async () => {
  ({ server, alice, bob, q, a } = await startWithThread());
});
after(async () => {
  await server?.stop();
  assert.deepEqual(server.errors, [], 'no request made the server log an error');
});

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.error.code, code, r.text);
  assert.ok(r.body.error.message.length > 10, 'the message says what to fix');
  if (field) assert.equal(r.body.error.field, field);
}

async function questionCount() {
  return (await alice.api('GET', '/questions?pagesize=100')).body.total;
}

test('questions with bad fields are refused with the field at fault, and nothing is stored', async () => {
  const before = await questionCount();
  const cases = [
    [{ title: '', body: 'A perfectly fine question body.', tags: ['x'] }, 'title'],
    [{ title: 'Short', body: 'A perfectly fine question body.', tags: ['x'] }, 'title'],
    [{ title: 'x'.repeat(151), body: 'A perfectly fine question body.', tags: ['x'] }, 'title'],
    [{ title: 'A perfectly fine question title', body: 'short', tags: ['x'] }, 'body'],
    [{ title: 'A perfectly fine question title', body: 'y'.repeat(30001), tags: ['x'] }, 'body'],
    [{ title: 'A perfectly fine question title', body: 'A perfectly fine question body.', tags: [] }, 'tags'],
    [{ title: 'A perfectly fine question title', body: 'A perfectly fine question body.', tags: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'tags'],
    [{ title: 'A perfectly fine question title', body: 'A perfectly fine question body.', tags: ['<b>'] }, 'tags'],
    [{ title: 'A perfectly fine question title', body: 'A perfectly fine question body.', tags: ['t'.repeat(36)] }, 'tags'],
    [{ title: 'A perfectly fine question title', body: 'A perfectly fine question body.', tags: 'billing' }, 'tags'],
    [{ title: 42, body: 'A perfectly fine question body.', tags: ['x'] }, 'title'],
    [{ body: 'A perfectly fine question body.', tags: ['x'] }, 'title'],
    [{ title: 'A perfectly fine question title', body: 'Bell \u0007 in the body text', tags: ['x'] }, 'body'],
  ];
  for (const [input, field] of cases) {
    const r = await alice.api('POST', '/questions', input);
    assertError(r, 422, 'invalid_field', field);
  }
  assert.equal(await questionCount(), before);
});

test('malformed JSON, wrong content types and bad UTF-8 are 4xx', async () => {
  assertError(await alice.api('POST', '/questions', '{"title": '), 400, 'malformed_json');
  assertError(await alice.api('POST', '/questions', '[1,2]'), 400, 'malformed_json');
  assertError(await alice.api('POST', '/questions', '"\xff"'), 400, 'malformed_json');
  const deep = '['.repeat(100) + ']'.repeat(100);
  assertError(await alice.api('POST', '/questions', deep), 400, 'malformed_json');
  const bytes = Buffer.concat([Buffer.from('{"title":"A perfectly fine question title","body":"bad '), Buffer.from([0xc3, 0x28]), Buffer.from(' utf8 in the body","tags":["x"]}')]);
  const r = await alice.request('POST', '/api/v1/questions', { body: bytes, headers: { 'content-type': 'application/json', 'x-csrf-token': alice.csrf } });
  assert.equal(r.status, 400, r.text);
  const form = await alice.request('POST', '/api/v1/questions', { body: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': alice.csrf } });
  assertError(form, 415, 'unsupported_media_type');
});

test('unknown ids and paths are 404, wrong methods 405', async () => {
  assertError(await alice.api('GET', '/questions/999999'), 404, 'not_found');
  assertError(await alice.api('GET', '/questions/abc'), 404, 'not_found');
  assertError(await alice.api('GET', '/questions/-1'), 404, 'not_found');
  assertError(await alice.api('GET', '/questions/99999999999999999999999'), 404, 'not_found');
  assertError(await alice.api('POST', '/questions/999999/answers', { body: 'An answer to nothing at all.' }), 404, 'not_found');
  assertError(await alice.api('POST', '/posts/999999/vote', { value: 1 }), 404, 'not_found');
  assertError(await alice.api('GET', '/users/999999'), 404, 'not_found');
  assertError(await alice.api('GET', '/nothing-here'), 404, 'not_found');
  const wrong = await alice.api('PUT', '/questions');
  assertError(wrong, 405, 'method_not_allowed');
  assert.match(wrong.headers.get('allow'), /GET/);
  const page = await alice.request('GET', '/questions/999999');
  assert.equal(page.status, 404);
  assert.match(page.text, /Question not found/);
});

test('votes must be 1, -1 or 0; accepting needs the asker and a real answer', async () => {
  assertError(await alice.api('POST', `/posts/${a.id}/vote`, { value: 2 }), 422, 'invalid_field', 'value');
  assertError(await alice.api('POST', `/posts/${a.id}/vote`, { value: 'up' }), 422, 'invalid_field', 'value');
  assertError(await alice.api('POST', `/posts/${a.id}/vote`, {}), 422, 'invalid_field', 'value');
  assertError(await bob.api('POST', `/answers/${a.id}/accept`), 403, 'not_asker');
  assertError(await alice.api('POST', `/answers/${q.id}/accept`), 404, 'not_found');
  assertError(await alice.api('DELETE', `/answers/${a.id}/accept`), 409, 'not_accepted');
  const anonymous = new Client(server.url);
  assertError(await anonymous.api('POST', `/answers/${a.id}/accept`), 401, 'not_signed_in');
  assertError(await anonymous.api('POST', `/questions/${q.id}/answers`, { body: 'An anonymous answer body.' }), 401, 'not_signed_in');
});

test('sign-up refuses duplicates, weak passwords and bad names; sign-in does not say which part was wrong', async () => {
  const c = new Client(server.url);
  assertError(await c.api('POST', '/users', { username: 'ALICE', email: 'new@example.com', password: 'correct horse battery' }), 409, 'username_taken', 'username');
  assertError(await c.api('POST', '/users', { username: 'alice2', email: 'Alice@Example.com', password: 'correct horse battery' }), 409, 'email_taken', 'email');
  assertError(await c.api('POST', '/users', { username: 'newbie', email: 'n@example.com', password: 'short' }), 422, 'invalid_field', 'password');
  assertError(await c.api('POST', '/users', { username: 'newbie', email: 'n@example.com', password: 'password123' }), 422, 'invalid_field', 'password');
  assertError(await c.api('POST', '/users', { username: '<script>', email: 'n@example.com', password: 'correct horse battery' }), 422, 'invalid_field', 'username');
  assertError(await c.api('POST', '/users', { username: 'newbie', email: 'not-an-email', password: 'correct horse battery' }), 422, 'invalid_field', 'email');
  const wrongPassword = await c.api('POST', '/session', { login: 'alice', password: 'wrong password here' });
  const noSuchUser = await c.api('POST', '/session', { login: 'nobody', password: 'wrong password here' });
  assertError(wrongPassword, 401, 'wrong_credentials');
  assert.equal(wrongPassword.body.error.message, noSuchUser.body.error.message);
});

test('comments, edits and summaries are validated', async () => {
  assertError(await alice.api('POST', `/posts/${a.id}/comments`, { body: 'ok' }), 422, 'invalid_field', 'body');
  assertError(await alice.api('POST', `/posts/${a.id}/comments`, { body: 'x'.repeat(601) }), 422, 'invalid_field', 'body');
  assertError(await alice.api('POST', `/posts/${a.id}/comments`, { body: 'A reply to a missing comment.', reply_to: 999999 }), 422, 'invalid_field', 'reply_to');
  assertError(await alice.api('PATCH', `/questions/${q.id}`, {}), 422, 'invalid_field');
  assertError(await alice.api('PATCH', `/questions/${q.id}`, { title: threadTitle }), 422, 'nothing_changed');
  assertError(await alice.api('PATCH', `/questions/${q.id}`, { title: 'A new fine question title', summary: 's'.repeat(201) }), 422, 'invalid_field', 'summary');
  assertError(await bob.api('PATCH', `/answers/${a.id}`, { title: 'Answers have no title at all' }), 422, 'invalid_field');
  assertError(await alice.api('PATCH', `/answers/${q.id}`, { body: 'Editing a question through the answer route.' }), 404, 'not_found');
  const revisions = await alice.api('GET', `/posts/${q.id}/revisions`);
  assert.equal(revisions.body.total, 1, 'refused edits leave no revision');
});

test('hostile Markdown is refused with a reason or rendered safely', async () => {
  const deep = await alice.api('POST', '/questions', { title: 'A question with deep nesting', body: '> '.repeat(50) + 'deep', tags: ['x'] });
  assertError(deep, 422, 'invalid_field', 'body');
  assert.match(deep.body.error.message, /nested 50 levels deep/);
  const xss = await alice.api('POST', '/questions', { title: 'A question with script inside', body: '<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>', tags: ['x'] });
  assert.equal(xss.status, 201);
  assert.doesNotMatch(xss.body.body_html, /<script|onerror=|href="javascript/);
  const page = await alice.request('GET', `/questions/${xss.body.id}`);
  assert.doesNotMatch(page.text, /<script>alert|<img src=x/);
});

test('pages and errors stay valid UTF-8 whatever bytes the address holds', async () => {
  const page = await alice.request('GET', '/tags/%ff%fe');
  assert.equal(page.status, 404);
  assert.ok(page.text.includes('\ufffd'), 'invalid bytes are shown as U+FFFD');
  const tagged = await alice.api('GET', '/questions?tag=%ff');
  assert.equal(tagged.status, 200);
});

test('paging and sort parameters are checked', async () => {
  assertError(await alice.api('GET', '/questions?pagesize=101'), 422, 'invalid_field', 'pagesize');
  assertError(await alice.api('GET', '/questions?page=0'), 422, 'invalid_field', 'page');
  assertError(await alice.api('GET', '/questions?sort=random'), 422, 'invalid_field', 'sort');
  assertError(await alice.api('GET', '/questions?tag=%zz'), 400, 'malformed_query');
});
