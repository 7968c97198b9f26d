// HTTPS as scanners see it: sslscan (short and long form) and testssl.sh (long form, as it
// takes minutes) against `peerdesk serve --tls-cert … --tls-key …`. The certificate comes from
// a throwaway local CA that the scanners are told to trust, so that what they report is about
// the server, not about a self-signed test certificate.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, freshDataDir } from '../support/server.mjs';
import { full } from './naughty.mjs';

const run = promisify(execFile);
const figure = (name, value, goal, met) => console.log(`harden-figure ${JSON.stringify({ name, value, goal, met })}`);
let server, dir, port;

async function have(program) {
  try {
    await run('sh', ['-c', `command -v ${program}`]);
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  dir = await freshDataDir();
  const openssl = (...args) => run('openssl', args, { cwd: dir });
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-subj', '/CN=peerdesk test CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'server.csr', '-subj', '/CN=localhost');
  await writeFile(join(dir, 'ext.cnf'), [
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    'crlDistributionPoints=URI:http://127.0.0.1/peerdesk-test-ca.crl',
    'authorityInfoAccess=OCSP;URI:http://127.0.0.1/ocsp',
  ].join('\n'));
  await openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '365', '-extfile', 'ext.cnf');
  await writeFile(join(dir, 'cert.pem'), (await readFile(join(dir, 'leaf.pem'), 'utf8')) + (await readFile(join(dir, 'ca.pem'), 'utf8')));
  server = await startServer({ dataDir: dir, args: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')] });
  port = new URL(server.url).port;
});
after(async () => {
  await server?.stop();
});

// What sslscan prints that would be a finding of medium severity or above.
function sslscanFindings(text) {
  const findings = [];
  for (const line of text.split('\n')) {
    if (/^(SSLv2|SSLv3|TLSv1\.0|TLSv1\.1)\s+enabled/.test(line)) findings.push(line);
    if (/vulnerable to heartbleed/.test(line) && !/not vulnerable/.test(line)) findings.push(line);
    if (/Insecure session renegotiation supported|Compression enabled/i.test(line)) findings.push(line);
    const cipher = /^(Preferred|Accepted)\s+\S+\s+(\d+) bits\s+(\S+)/.exec(line);
    if (cipher && (Number(cipher[2]) < 128 || /RC4|DES|NULL|EXP|anon|MD5|CBC|SHA$/.test(cipher[3]))) findings.push(line);
    const key = /RSA Key Strength:\s+(\d+)/.exec(line);
    if (key && Number(key[1]) < 2048) findings.push(line);
    if (/Signature Algorithm:\s+\S*(sha1|md5)/i.test(line)) findings.push(line);
  }
  return findings;
}

test('sslscan finds nothing of medium severity or above', async () => {
  // scripts/test installs sslscan: a scan that did not run is a failure, not a pass.
  if (!(await have('sslscan'))) {
    figure('sslscan findings ≥ medium', 'not run: sslscan is not installed (scripts/setup --tls-tools)', '0', false);
    assert.fail('sslscan is not installed: run scripts/setup --tls-tools');
  }
  const { stdout } = await run('sslscan', ['--no-colour', `127.0.0.1:${port}`], { timeout: 120000 });
  assert.match(stdout, /TLSv1\.2\s+enabled/);
  assert.match(stdout, /TLSv1\.3\s+enabled/);
  const findings = sslscanFindings(stdout);
  console.log(`sslscan: ${findings.length} findings of medium severity or above`);
  figure('sslscan findings ≥ medium', String(findings.length), '0', findings.length === 0);
  assert.deepEqual(findings, []);
  // The check itself: a line that would be a finding is seen as one.
  assert.equal(sslscanFindings('TLSv1.0   enabled\nAccepted  TLSv1.2  128 bits  AES128-SHA').length, 2);
});

test('testssl.sh finds nothing of medium severity or above (long form)', { skip: !full && 'runs in scripts/harden (it takes minutes)' }, async () => {
  assert.ok(await have('testssl'), 'testssl.sh is installed (scripts/setup --harden)');
  const json = join(dir, 'testssl.json');
  await run('testssl', ['--quiet', '--color', '0', '--warnings', 'batch', '--severity', 'MEDIUM', '--add-ca', join(dir, 'ca.pem'),
    '--jsonfile', json, `127.0.0.1:${port}`], { timeout: 900000, maxBuffer: 1 << 26 }).catch((e) => {
    if (!e.stdout) throw e;  // testssl exits non-zero when it reports anything at all
  });
  const results = JSON.parse(await readFile(json, 'utf8'));
  const findings = results.filter((r) => ['MEDIUM', 'HIGH', 'CRITICAL'].includes(r.severity)).map((r) => `${r.severity} ${r.id}: ${r.finding}`);
  console.log(`testssl.sh: ${findings.length} findings of medium severity or above${findings.length ? ':\n' + findings.join('\n') : ''}`);
  figure('testssl.sh findings ≥ medium', String(findings.length), '0', findings.length === 0);
  assert.deepEqual(findings, []);
});
