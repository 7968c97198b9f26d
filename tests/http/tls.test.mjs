// HTTPS with --tls-cert and --tls-key: TLS 1.2 or newer only, Secure cookies, HSTS.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, freshDataDir, peerdesk } from '../support/server.mjs';

let server, dir, ca;
before(async () => {
  dir = await freshDataDir();
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'),
    '-out', join(dir, 'cert.pem'), '-subj', '/CN=localhost', '-days', '2', '-addext', 'subjectAltName=IP:127.0.0.1']);
  ca = await readFile(join(dir, 'cert.pem'));
  server = await startServer({ dataDir: dir, args: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')] });
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function request(method, path, body, options = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(server.url + path, { method, ca, headers: body ? { 'content-type': 'application/json' } : {}, ...options }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`no answer to ${path} in 10 s`)));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

test('serves HTTPS with a Secure session cookie and HSTS', async () => {
  assert.match(server.url, /^https:/);
  const health = await request('GET', '/healthz');
  assert.equal(health.status, 200);
  assert.equal(health.headers['strict-transport-security'], 'max-age=31536000');
  const created = await request('POST', '/api/v1/users', { username: 'secure', email: 'secure@example.com', password: 'correct horse battery' });
  assert.equal(created.status, 201, created.text);
  const session = await request('POST', '/api/v1/session', { login: 'secure', password: 'correct horse battery' });
  assert.equal(session.status, 200);
  assert.match(session.headers['set-cookie'][0], /; HttpOnly; SameSite=Lax; Secure$/);
});

test('refuses TLS 1.1 and plain HTTP on the TLS port', async () => {
  const { port } = new URL(server.url);
  // openssl's client is told to try what Debian's defaults would not even offer; the server
  // must answer with an alert.
  const attempt = (args) => new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { timeout: 10000 },
      (error, stdout, stderr) => resolve(stdout + stderr));
    child.stdin.end();
  });
  assert.match(await attempt(['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']), /alert protocol version/);
  assert.match(await attempt(['-tls1_2', '-cipher', 'AES128-SHA']), /alert handshake failure/, 'no cipher without forward secrecy');
  const modern = await new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: Number(port), ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, () => {
      resolve(socket.getCipher());
      socket.end();
    });
    socket.on('error', reject);
  });
  assert.match(modern.name, /ECDHE-.*-(GCM|CHACHA20)/);
  await assert.rejects(fetch(server.url.replace('https:', 'http:') + '/healthz'));
});

test('a missing or mismatched certificate stops start-up with a message', async () => {
  await assert.rejects(peerdesk(['serve', '--port', '0', '--data', dir, '--tls-cert', join(dir, 'nope.pem'), '--tls-key', join(dir, 'key.pem')]),
    (e) => e.code === 1 && /cannot load the TLS certificate/.test(e.stderr));
  await assert.rejects(peerdesk(['serve', '--port', '0', '--data', dir, '--tls-cert', join(dir, 'cert.pem')]),
    (e) => e.code === 2 && /--tls-cert and --tls-key go together/.test(e.stderr));
});

test('--http-redirect-port answers plain HTTP with a redirect to the HTTPS address', async (t) => {
  const net = await import('node:net');
  // The redirect port must be named: a free one is found and closed again, and another process
  // may take it before the server binds it. Then the server does not start, and another try
  // with another port settles it.
  let free, redirecting;
  for (let attempt = 0; !redirecting; attempt++) {
    free = await new Promise((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
    try {
      redirecting = await startServer({ t, dataDir: dir, args: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'), '--http-redirect-port', String(free)] });
    } catch (e) {
      if (attempt >= 4) throw e;
    }
  }
  try {
    const httpsPort = new URL(redirecting.url).port;
    const r = await fetch(`http://127.0.0.1:${free}/questions?tag=a%20b`, { redirect: 'manual' });
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), `https://127.0.0.1:${httpsPort}/questions?tag=a%20b`);
    // A forged Host cannot put markup or another path into the redirect.
    const forged = await fetch(`http://127.0.0.1:${free}/x`, { redirect: 'manual', headers: { host: 'evil.example/"><script>' } });
    assert.equal(forged.headers.get('location'), `https://127.0.0.1:${httpsPort}/x`);
  } finally {
    await redirecting.stop();
  }
  await assert.rejects(peerdesk(['serve', '--port', '0', '--data', dir, '--http-redirect-port', '8081']),
    (e) => e.code === 2 && /--http-redirect-port needs --tls-cert/.test(e.stderr));
});

test('over TLS pages go out uncompressed (BREACH), static files still compressed', async () => {
  const page = await request('GET', '/', undefined, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-encoding'], undefined, 'no gzip for a page over TLS');
  const again = await request('GET', '/', undefined, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(again.headers['content-encoding'], undefined, 'nor from the page cache');
  const css = await request('GET', '/static/app.css', undefined, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(css.headers['content-encoding'], 'gzip');
});
