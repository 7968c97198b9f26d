// Every write endpoint, every field, every wrong type: a 4xx with the error shape, never a 5xx.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { Client, startWithThread } from '../support/server.mjs';

let server, alice, bob, q, a, comment;
before(async () => {
  ({ server, alice, bob, q, a } = await startWithThread());
  comment = (await alice.api('POST', `/posts/${a.id}/comments`, { body: 'A comment to reply to.' })).body;
});
after(async () => {
  await server?.stop();
  assert.deepEqual(server.errors, [], 'no request made the server log an error');
});

const wrong = [null, 0, -1, 1e308, 2 ** 63, true, [], {}, [[[]]], 'x'.repeat(40000), '\u0000', '<script>alert(1)</script>', '\ud800'];

test('wrong types in every field of every write are refused with a 4xx', async () => {
  const endpoints = () => [
    ['POST', '/users', { username: 'someone', email: 'someone@example.com', password: 'correct horse battery' }, null],
    ['POST', '/session', { login: 'alice', password: 'correct horse battery staple' }, null],
    ['POST', '/tokens', { name: 'a token' }, alice],
    ['POST', '/questions', { title: 'A fine title for a question', body: 'A fine body for a question.', tags: ['x'] }, alice],
    ['PATCH', `/questions/${q.id}`, { title: 'Another fine title here', body: 'Another fine body here.', tags: ['y'], summary: 'ok' }, alice],
    ['POST', `/questions/${q.id}/answers`, { body: 'A fine body for an answer.' }, bob],
    ['PATCH', `/answers/${a.id}`, { body: 'Another fine answer body.', summary: 'ok' }, bob],
    ['POST', `/posts/${a.id}/comments`, { body: 'A fine comment body.', reply_to: comment.id }, alice],
    ['POST', `/posts/${q.id}/vote`, { value: 0 }, bob],
    ['POST', '/preview', { body: 'Some **Markdown**.' }, alice],
  ];
  let checked = 0;
  for (const [method, path, good, who] of endpoints()) {
    const client = who || new Client(server.url);
    for (const field of Object.keys(good)) {
      for (const value of wrong) {
        const body = { ...good, [field]: value };
        const r = await client.api(method, path, body);
        const what = `${method} ${path} ${field}=${JSON.stringify(value).slice(0, 40)} gave ${r.status}`;
        // A value of another JSON type than the field's is refused; one of the field's own type
        // (an odd string for a text field, -1 for a vote) may be fine, but never a 5xx.
        const sameType = typeof value === typeof good[field] && Array.isArray(value) === Array.isArray(good[field]) &&
          (value === null) === (good[field] === null);
        // null for a field that may be left out (an edit's fields, a reply's target) leaves it out.
        const optional = value === null && (method === 'PATCH' || ['reply_to', 'summary'].includes(field));
        if (sameType || optional) assert.ok(r.status < 500, what);
        else assert.ok(r.status >= 400 && r.status < 500, what);
        if (r.status >= 400) {
          assert.equal(typeof r.body.error.code, 'string');
          assert.equal(typeof r.body.error.message, 'string');
        }
        checked++;
      }
    }
  }
  assert.ok(checked > 200);
});

test('ids of every shape in every path are refused with a 4xx', async () => {
  const ids = ['0', '-1', 'abc', '1.5', '1e3', '99999999999999999999', '%00', '%2F', "1'", '1%20OR%201=1'];
  for (const id of ids) {
    for (const [method, path] of [['GET', `/questions/${id}`], ['GET', `/users/${id}`], ['GET', `/posts/${id}/revisions`],
      ['POST', `/answers/${id}/accept`], ['POST', `/posts/${id}/vote`], ['PATCH', `/questions/${id}`]]) {
      const r = await alice.api(method, path, method === 'GET' ? undefined : { value: 1, body: 'A body that is long enough.' });
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${path} gave ${r.status}`);
    }
    const page = await alice.request('GET', `/questions/${id}`);
    assert.ok(page.status >= 400 && page.status < 500, `page /questions/${id} gave ${page.status}`);
  }
});
