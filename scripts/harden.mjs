#!/usr/bin/env node
// The long form of the hardening suite (scripts/harden calls this after setup and build):
// fuzzes each libFuzzer target for a set time, runs every hardening suite in its full form,
// and prints one summary table of what was checked, the figure, the goal and whether it was met.
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, writeFile, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
for (const a of args) if (a.startsWith('--') && !['--fuzz-seconds', '--no-testssl', '--no-fuzz', '--no-suites'].includes(a)) {
  console.error(`harden: unknown option ${a}\nusage: scripts/harden [--fuzz-seconds N] [--no-fuzz] [--no-suites] [--no-testssl]`);
  process.exit(2);
}
const fuzzSeconds = Number(opt('--fuzz-seconds', '60'));
if (!(fuzzSeconds > 0)) {
  console.error('harden: --fuzz-seconds takes a positive number');
  process.exit(2);
}
const rows = [];
const row = (area, what, value, goal, met) => rows.push({ area, what, value, goal, met });

// Runs a program, echoing its output, and resolves with the output and exit code.
function run(program, argv, { env = {}, echo = true, cwd = root } = {}) {
  return new Promise((resolve) => {
    const child = spawn(program, argv, { cwd, env: { ...process.env, ...env } });
    let out = '';
    const take = (stream, sink) => stream.on('data', (d) => { out += d; if (echo) sink.write(d); });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on('close', (code, signal) => resolve({ code: code ?? 128, signal, out }));
  });
}

// ---- fuzzing ----
const targets = ['markdown', 'http_input', 'request', 'search_query', 'image'];
async function fuzz() {
  const build = join(root, 'build-fuzz');
  if (!existsSync(join(build, 'CMakeCache.txt'))) {
    const c = await run('cmake', ['-S', root, '-B', build, '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=RelWithDebInfo',
      '-DCMAKE_CXX_COMPILER=clang++', '-DPEERDESK_FUZZ=ON',
      // clang warns about other things than gcc; warnings are the normal build's job.
      '-DPEERDESK_WERROR=OFF']);
    if (c.code !== 0) return row('fuzzing', 'build with clang, ASan and UBSan', 'configure failed', 'builds', false);
  }
  const b = await run('cmake', ['--build', build, '--target', ...targets.map((t) => `fuzz_${t}`)]);
  if (b.code !== 0) return row('fuzzing', 'build with clang, ASan and UBSan', 'build failed', 'builds', false);
  for (const t of targets) {
    const corpus = join(build, 'corpus', t);
    const crashes = join(build, 'crashes', t);
    await mkdir(corpus, { recursive: true });
    await mkdir(crashes, { recursive: true });
    await cp(join(root, 'tests/fuzz/corpus', t), corpus, { recursive: true, force: false });
    console.log(`\nharden: fuzzing ${t} for ${fuzzSeconds} s`);
    const r = await run(join(build, `fuzz_${t}`), [`-max_total_time=${fuzzSeconds}`, '-timeout=10', '-rss_limit_mb=2048',
      '-max_len=65536', '-print_final_stats=1', `-artifact_prefix=${crashes}/`, corpus], { echo: false });
    const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(r.out)?.[1] ?? '?';
    const cov = [...r.out.matchAll(/cov: (\d+)/g)].pop()?.[1] ?? '?';
    const found = (await readdir(crashes)).filter((f) => /^(crash|timeout|leak|oom|slow-unit)-/.test(f));
    // Every crash becomes a regression input that the normal build replays in CTest.
    for (const f of found) {
      await mkdir(join(root, 'tests/fuzz/regressions', t), { recursive: true });
      await copyFile(join(crashes, f), join(root, 'tests/fuzz/regressions', t, f));
    }
    const ok = r.code === 0 && found.length === 0;
    if (!ok) console.log(r.out.split('\n').slice(-60).join('\n'));
    row('fuzzing', `libFuzzer + ASan + UBSan: ${t}`, `${runs} inputs in ${fuzzSeconds} s, coverage ${cov}, ${found.length} crashes${found.length ? ' (saved to tests/fuzz/regressions/' + t + ')' : ''}`, '0 crashes', ok);
  }
}

// ---- the suites, in full ----
const suites = [
  ['hostile input', 'tests/harden/hostile_input.test.mjs', 'naughty strings and polyglots in every field: no 5xx, valid JSON, no markup'],
  ['hostile input', 'tests/harden/hostile_browser.test.mjs', 'stored and typed polyglots in Chromium, with and without CSP: no script runs'],
  ['Markdown', 'tests/harden/markdown.test.mjs', 'CommonMark spec and cmark pathological inputs'],
  ['faults', 'tests/harden/faults.test.mjs', 'kill -9 under 50 posters; full disk'],
  ['faults', 'tests/http/backup.test.mjs', 'online backup, restore and reindex give the same community'],
  ['overload', 'tests/http/overload.test.mjs', 'smuggling shapes, slowloris, slow bodies and readers, connection caps'],
  ['overload', 'tests/http/server.test.mjs', 'oversized headers and bodies, timeouts, shutdown'],
  ['overload', 'tests/http/moderation.test.mjs', 'rate limits and new-member limits (429 with Retry-After)'],
  ['access', 'tests/http/access_matrix.test.mjs', 'every endpoint × anonymous, owner, other, moderator, admin, suspended'],
  ['access', 'tests/http/sessions.test.mjs', 'CSRF, other origins, no writing GET, cookies, rotation, password change, headers'],
  ['TLS', 'tests/http/tls.test.mjs', 'TLS 1.2+, forward-secret AEAD only, Secure cookies, HSTS, HTTP redirect, no gzip for pages'],
  ['TLS', 'tests/harden/tls_scan.test.mjs', 'sslscan and testssl.sh'],
];

async function suitesInFull() {
  const env = { PEERDESK_HARDEN: 'full', PEERDESK_BIN: join(root, 'build/peerdesk') };
  for (const [area, file, what] of suites) {
    if (args.includes('--no-testssl') && file.endsWith('tls_scan.test.mjs')) env.PEERDESK_HARDEN = 'short';
    console.log(`\nharden: ${file}`);
    const r = await run('node', ['--test', '--test-reporter=tap', file], { env, echo: false });
    const passed = Number(/^# pass (\d+)/m.exec(r.out)?.[1] ?? 0);
    const failed = Number(/^# fail (\d+)/m.exec(r.out)?.[1] ?? 0);
    const skipped = Number(/^# skipped (\d+)/m.exec(r.out)?.[1] ?? 0);
    for (const line of r.out.split('\n')) {
      if (/^# (Subtest|tests|suites|pass|fail|cancelled|skipped|todo|duration)/.test(line)) continue;
      if (/^# /.test(line) && !/harden-figure/.test(line)) console.log(line.slice(2));
      if (/^not ok/.test(line)) console.log(line);
    }
    if (failed) console.log(r.out.split('\n').filter((l) => /error|expected|actual|not ok/.test(l)).slice(0, 40).join('\n'));
    row(area, what, `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`, 'all pass', failed === 0 && r.code === 0 && passed > 0);
    for (const m of r.out.matchAll(/harden-figure (\{.*\})/g)) {
      const f = JSON.parse(m[1]);
      row(area, f.name, f.value, f.goal, f.met);
    }
  }
}

const started = Date.now();
if (!args.includes('--no-fuzz')) await fuzz();
if (!args.includes('--no-suites')) await suitesInFull();

const lines = ['| area | what | figure | goal | met |', '|---|---|---|---|---|'];
for (const r of rows) lines.push(`| ${r.area} | ${r.what} | ${r.value} | ${r.goal} | ${r.met ? 'yes' : '**no**'} |`);
const table = lines.join('\n');
const unmet = rows.filter((r) => !r.met).length;
const summary = `# peerdesk hardening, ${new Date().toISOString().slice(0, 10)} (${Math.round((Date.now() - started) / 60000)} min)\n\n${table}\n\n${rows.length - unmet} of ${rows.length} met.\n`;
await mkdir(join(root, 'build'), { recursive: true });
await writeFile(join(root, 'build/harden-results.md'), summary);
console.log('\n' + summary);
console.log('harden: the table is in build/harden-results.md');
process.exit(unmet ? 1 : 0);
