// Starts the real peerdesk binary on a free loopback port with a fresh data directory, and
// offers a small HTTP client with a cookie jar. Shared by the HTTP and browser suites.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';

export const binary = process.env.PEERDESK_BIN || new URL('../../build/peerdesk', import.meta.url).pathname;
const run = promisify(execFile);

// Runs a peerdesk command (migrate, user create, settings …) against a data directory.
export async function peerdesk(args, options = {}) {
  return run(binary, args, { env: { ...process.env, ...options.env } });
}

// An account with a role in a data directory, made as an operator makes the first admin:
// `peerdesk user create` with a password file (before the server starts).
export async function createAccount(dir, name, role, password = 'correct horse battery staple') {
  const file = join(dir, `password-${name}`);
  await writeFile(file, password);
  await peerdesk(['user', 'create', name, '--email', `${name}@example.com`, '--password-file', file, '--role', role, '--data', dir]);
}

export async function freshDataDir() {
  return mkdtemp(join(tmpdir(), 'peerdesk-test-'));
}

// Every server a test process started and has not seen exit. They are killed when the process
// exits, however it exits: a server left behind would hold the test runner's output pipe open,
// and CTest would wait for it until its timeout.
const live = new Set();
export function killAll() {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* gone already */ }
  }
}
process.on('exit', killAll);

// How long stop() waits after SIGTERM before it kills: a server that has not exited by then
// is hung (a shutdown deadlock was once seen), and waiting on it would hang the suite.
const stopGraceMs = 10000;

// Resolves once the server has printed the port it listens on. Pass the test context as `t`
// and the server is stopped after the test, whether it passed or not.
export async function startServer({ dataDir, args = [], env = {}, t } = {}) {
  const dir = dataDir || (await freshDataDir());
  // Suites sign up many users from one address; the rate-limit suite turns limits on itself.
  const limits = args.includes('--rate-limits') ? [] : ['--rate-limits', 'off'];
  const child = spawn(binary, ['serve', '--port', '0', '--data', dir, '--threads', '2', ...limits, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  live.add(child);
  const exitedPromise = new Promise((resolve) => child.once('exit', (code, signal) => {
    live.delete(child);
    resolve({ code, signal });
  }));
  // A server nobody waits for must not keep the test process alive (the exit handler kills it);
  // whoever waits for its exit holds it again (see `exited`).
  child.unref();
  child.stdout.unref();
  child.stderr.unref();
  const log = [];
  const errors = [];
  createInterface({ input: child.stderr }).on('line', (line) => errors.push(line));
  const lines = createInterface({ input: child.stdout });
  let url;
  try {
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('peerdesk did not start in 15 s: ' + errors.join('\n'))), 15000);
      child.once('error', (e) => { clearTimeout(timer); reject(e); });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`peerdesk exited with ${code ?? signal}: ${errors.join('\n')}`));
      });
      lines.on('line', (line) => {
        const m = /listening on (https?:\/\/\S+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        } else {
          log.push(line);
        }
      });
    });
  } catch (e) {
    // A server that never said where it listens may still be running: it goes, and so does the
    // data directory made for it.
    // (A program that could not be run at all has no pid and never says 'exit'.)
    if (child.pid === undefined) live.delete(child);
    else {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      child.ref();
      await exitedPromise;
    }
    if (!dataDir) await rm(dir, { recursive: true, force: true });
    throw e;
  }
  let stopping;
  const server = {
    url,
    dir,
    child,
    log,
    errors,
    get exited() {
      child.ref();
      return exitedPromise;
    },
    // SIGTERM, then SIGKILL after stopGraceMs; throws if it had to kill (a hung shutdown is a
    // failure), after the data directory is gone. Calling it again answers the same outcome.
    stop({ keepData = false } = {}) {
      stopping ??= (async () => {
        child.ref();
        let killed = false;
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          let timer;
          const hung = new Promise((resolve) => { timer = setTimeout(() => resolve('hung'), stopGraceMs); });
          if (await Promise.race([exitedPromise, hung]) === 'hung') {
            killed = true;
            child.kill('SIGKILL');
          }
          clearTimeout(timer);
        }
        const result = await exitedPromise;
        if (!keepData && !dataDir) await rm(dir, { recursive: true, force: true });
        if (killed) throw new Error(`peerdesk did not exit within ${stopGraceMs / 1000} s of SIGTERM and was killed`);
        return result;
      })();
      return stopping;
    },
  };
  t?.after(() => server.stop());
  return server;
}

// The Set-Cookie lines of a fetch response. Headers.getSetCookie() is missing from the fetch of
// Debian's Node 18, whose get('set-cookie') joins the lines with ", ": split there only where
// a new name=value starts, not inside an Expires date ("Expires=Wed, 21 Oct 2015 …").
export function setCookies(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const joined = headers.get('set-cookie');
  return joined ? joined.split(/,\s*(?=[^;,=\s]+=)/) : [];
}

// A browser-like client: keeps cookies, remembers the CSRF token after signing in.
export class Client {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
    this.csrf = '';
    this.bearer = '';
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  remember(response) {
    for (const line of setCookies(response.headers)) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attributes.some((a) => /max-age=0/i.test(a.trim())) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method, path, { body, headers = {}, raw = false } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    const response = await fetch(this.base + path, { method, headers: h, body, redirect: 'manual' });
    this.remember(response);
    const text = await response.text();
    let json;
    if ((response.headers.get('content-type') || '').includes('json') && text) json = JSON.parse(text);
    return { status: response.status, headers: response.headers, text, body: json, raw };
  }

  // A JSON API call, with the CSRF token when signed in by cookie.
  async api(method, path, body, headers = {}) {
    const h = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.csrf && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    return this.request(method, '/api/v1' + path, {
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headers: h,
    });
  }

  // A form post as a browser sends it.
  async form(path, fields) {
    return this.request('POST', path, {
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  async signUp(username, password = 'correct horse battery staple') {
    const created = await this.api('POST', '/users', { username, email: `${username}@example.com`, password });
    if (created.status !== 201) throw new Error(`sign-up failed: ${created.text}`);
    await this.signIn(username, password);
    return created.body;
  }

  async signIn(login, password = 'correct horse battery staple') {
    const r = await this.api('POST', '/session', { login, password });
    if (r.status !== 200) throw new Error(`sign-in failed: ${r.text}`);
    this.csrf = r.body.csrf_token;
    this.user = r.body.user;
    return r;
  }

  async reputation() {
    const r = await this.api('GET', `/users/${this.user.id}`);
    return r.body.reputation;
  }
}

// A server with one thread to aim requests at: alice asked, bob answered.
export const threadTitle = 'A perfectly fine question title';
export async function startWithThread({ t } = {}) {
  const server = await startServer({ t });
  try {
    const alice = new Client(server.url);
    const bob = new Client(server.url);
    await alice.signUp('alice');
    await bob.signUp('bob');
    const q = (await alice.api('POST', '/questions', { title: threadTitle, body: 'A perfectly fine question body.', tags: ['fine'] })).body;
    const a = (await bob.api('POST', `/questions/${q.id}/answers`, { body: 'A perfectly fine answer body here.' })).body;
    return { server, alice, bob, q, a };
  } catch (e) {
    await server.stop().catch(() => {});
    throw e;
  }
}

// Polls fn until it answers something truthy (an index commit, a log flush), or fails the test.
export async function eventually(fn, what, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A question asked, or an answer posted, through the API by who; fails the test unless created.
export async function ask(who, title, body = 'A question body that is long enough to post.', tags = ['general']) {
  const r = await who.api('POST', '/questions', { title, body, tags });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

export async function answer(who, q, body = 'An answer that explains what to do, step by step.') {
  const r = await who.api('POST', `/questions/${q}/answers`, { body });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}
