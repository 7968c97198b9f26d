// node:test with bounds, for every suite: each test and hook gets a timeout, and the test file a
// deadline after which it ends itself. A failing or stuck suite then fails in minutes, where it
// once waited for CTest's own timeout; CTest's, set above these, is only the last resort.
// PEERDESK_HARDEN=full (the long form in scripts/harden) runs far longer, so its bounds are ten
// times these; PEERDESK_TEST_TIMEOUT and PEERDESK_FILE_TIMEOUT (seconds) override them.
import * as nodeTest from 'node:test';
import { basename } from 'node:path';
import { killAll } from './server.mjs';

const scale = process.env.PEERDESK_HARDEN === 'full' ? 10 : 1;
const seconds = (name, fallback) => (Number(process.env[name]) || fallback * scale) * 1000;
// Generous for a busy two-core machine: the slowest test takes about 30 s there.
export const testTimeout = seconds('PEERDESK_TEST_TIMEOUT', 120);
export const fileTimeout = seconds('PEERDESK_FILE_TIMEOUT', 240);

// A test that timed out is failed but not stopped: what it waits for can keep the process
// alive. The deadline ends the file then; unref'd, it never keeps a finished file alive.
const file = basename(process.argv[1] || 'test');
setTimeout(() => {
  console.error(`${file}: still running after ${fileTimeout / 1000} s; ending it (a test or hook is stuck)`);
  process.exit(1);
}, fileTimeout).unref();

// Interrupted (by the runner, CTest or Ctrl-C), the servers go with the process.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal);
  });
}

// test(name?, options?, fn?) and describe alike: the timeout is added unless one is given.
const bounded = (run) => (...args) => {
  const at = typeof args[0] === 'string' ? 1 : 0;
  if (args[at] !== null && typeof args[at] === 'object') args[at] = { timeout: testTimeout, ...args[at] };
  else args.splice(at, 0, { timeout: testTimeout });
  return run(...args);
};
// Hooks take (fn, options).
const boundedHook = (run) => (fn, options = {}) => run(fn, { timeout: testTimeout, ...options });

export const test = bounded(nodeTest.test);
export const it = test;
// A suite's timeout covers all its tests, so it gets the file's.
export const describe = (...args) => {
  const at = typeof args[0] === 'string' ? 1 : 0;
  if (args[at] !== null && typeof args[at] === 'object') args[at] = { timeout: fileTimeout, ...args[at] };
  else args.splice(at, 0, { timeout: fileTimeout });
  return nodeTest.describe(...args);
};
export const before = boundedHook(nodeTest.before);
export const after = boundedHook(nodeTest.after);
export const beforeEach = boundedHook(nodeTest.beforeEach);
export const afterEach = boundedHook(nodeTest.afterEach);
export default test;
