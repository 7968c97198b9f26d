// A real SMTP server for the tests (tests/support/smtp_server.py, Debian's python3-aiosmtpd) on a
// loopback port, with or without STARTTLS or implicit TLS under a test authority made with
// openssl at test time, and AUTH; a reader for the messages it received; and peerdesk started
// with its mail options pointed at it.
import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { Client, startServer } from './server.mjs';

const run = promisify(execFile);
// Debian's interpreter, where python3-aiosmtpd is installed (another python3 may come first on PATH).
const python = process.env.PEERDESK_PYTHON || '/usr/bin/python3';
const script = new URL('./smtp_server.py', import.meta.url).pathname;

// Every SMTP server started and not yet gone: killed when the test process exits, however it
// exits (one exit listener for all).
const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* gone already */ }
  }
});

// A port that was free a moment ago, for servers that must be told their address before they start.
export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A test certificate authority and a certificate for 127.0.0.1 signed by it, in a new folder.
export async function testAuthority(t) {
  const dir = await mkdtemp(join(tmpdir(), 'peerdesk-ca-'));
  t?.after(() => rm(dir, { recursive: true, force: true }));
  const f = (name) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2',
    '-subj', '/CN=peerdesk test authority', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  await writeFile(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'),
    '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('ext.cnf')]);
  return { dir, ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

// Starts the SMTP server; stopped after the test t. Options: port, tls ({cert,key} from
// testAuthority), starttls, implicitTls, auth ('user:password'), refuse (first N messages 451).
export async function startSmtp({ t, port = 0, tls, starttls = false, implicitTls = false, auth, refuse = 0 } = {}) {
  const args = [script, '--port', String(port)];
  if (tls) args.push('--cert', tls.cert, '--key', tls.key);
  if (starttls) args.push('--starttls');
  if (implicitTls) args.push('--implicit-tls');
  if (auth) args.push('--auth', auth);
  if (refuse) args.push('--refuse', String(refuse));
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.unref();
  child.stdout.unref();
  child.stderr.unref();
  live.add(child);
  const exited = new Promise((resolve) => child.once('exit', () => { live.delete(child); resolve(); }));
  const errors = [];
  createInterface({ input: child.stderr }).on('line', (l) => errors.push(l));
  const relay = { messages: [], refusals: 0, errors, child };
  const listening = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the SMTP server did not start: ' + errors.join('\n'))), 15000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the SMTP server exited (${code}): ${errors.join('\n')}`)); });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const record = JSON.parse(line);
      if (record.listening) { clearTimeout(timer); resolve(record.listening); }
      else if (record.refused) relay.refusals++;
      else relay.messages.push(parseMessage(record));
    });
  });
  relay.port = listening;
  relay.stop = async () => {
    child.ref();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  // Waits until a received message matches; it is returned.
  relay.waitFor = async (match, what = 'a message', ms = 20000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = relay.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; received: ${relay.messages.map((m) => `${m.to} ${m.subject}`).join('; ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  relay.to = (address) => relay.messages.filter((m) => m.rcptTos.includes(address));
  t?.after(() => relay.stop());
  return relay;
}

// RFC 2047 encoded words (B and Q) decoded, as a mail reader shows the header.
export function decodeWords(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset, enc, text) => {
      const bytes = /b/i.test(enc)
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return bytes.toString('utf8');
    });
}

function decodeQuotedPrintable(text) {
  const bytes = [];
  const s = text.replace(/=\r\n/g, '');
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(s.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// Headers (unfolded; names in lower case; every value kept) and body of a MIME entity.
function splitEntity(raw) {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end + 4);
  const headers = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1][1] += line;
    else {
      const colon = line.indexOf(':');
      headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
    }
  }
  return { headers, body };
}

function decodeBody(headers, body) {
  const encoding = (headers.find(([k]) => k === 'content-transfer-encoding')?.[1] || '').toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  return body;
}

// A received message as a reader sees it: envelope, headers, the text and HTML parts.
export function parseMessage(record) {
  const raw = record.data;
  const { headers, body } = splitEntity(raw);
  const header = (name) => headers.find(([k]) => k === name)?.[1];
  const message = {
    raw, headers, header, mailFrom: record.mail_from, rcptTos: record.rcpt_tos, tls: record.tls, login: record.login,
    to: record.rcpt_tos.join(','), subject: decodeWords(header('subject') || ''), parts: [],
  };
  const type = header('content-type') || 'text/plain';
  const boundary = /boundary="([^"]+)"/.exec(type)?.[1];
  if (boundary) {
    const sections = body.split('--' + boundary);
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      const part = splitEntity(section.replace(/^\r\n/, ''));
      const partType = part.headers.find(([k]) => k === 'content-type')?.[1] || '';
      message.parts.push({ type: partType, headers: part.headers, content: decodeBody(part.headers, part.body) });
    }
  } else {
    message.parts.push({ type, headers, content: decodeBody(headers, body) });
  }
  message.text = message.parts.find((p) => p.type.startsWith('text/plain'))?.content;
  message.html = message.parts.find((p) => p.type.startsWith('text/html'))?.content;
  return message;
}

// The first link in the text part whose path starts with `path`.
export function linkIn(message, path) {
  const re = new RegExp(`https?://[^\\s]+${path.replace(/[/?]/g, (c) => '\\' + c)}[^\\s]*`);
  const m = re.exec(message.text || '');
  if (!m) throw new Error(`no link to ${path} in: ${message.text}`);
  return m[0];
}

export const mailFrom = 'Acme Support <support@acme.example>';

// peerdesk with mail sent to the relay at smtpUrl (a port chosen first, so that --public-url
// can name it). Other options go in args; retries start after a second.
export async function startMailServer({ t, smtpUrl, args = [], dataDir, env } = {}) {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const server = await startServer({
    t, dataDir, env,
    args: ['--port', String(port), '--public-url', publicUrl, ...(smtpUrl ? ['--smtp-url', smtpUrl] : []),
      '--mail-from', mailFrom, ...(smtpUrl ? ['--smtp-retry-seconds', '1'] : []), ...args],
  });
  return server;
}

// A member signed up and signed in on the server, whose address is confirmed through the link in
// the verification mail the relay received (verify: false leaves it unconfirmed).
export async function confirmedMember(server, relay, name, { verify = true } = {}) {
  const c = new Client(server.url);
  await c.signUp(name);
  const mail = await relay.waitFor((m) => m.rcptTos.includes(`${name}@example.com`) && /Confirm/.test(m.subject), `${name}'s verification`);
  if (verify) {
    const token = new URL(linkIn(mail, '/verify-email?token=')).searchParams.get('token');
    const r = await c.api('POST', '/email-verification/confirm', { token });
    if (r.status !== 200) throw new Error(`confirming ${name}'s address: ${r.status} ${r.text}`);
  }
  return c;
}
