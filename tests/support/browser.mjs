// Launches Debian's Chromium through playwright-core (never a downloaded browser).
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

// How long close() may take: a browser that does not close is hung, and waiting on it would hang
// the suite; playwright kills the browsers it launched when the process exits.
const closeMs = 15000;

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 60000,
    // This machine has no network beyond loopback: background services would only fail.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const close = browser.close.bind(browser);
  browser.close = async (...args) => {
    let timer;
    const hung = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Chromium did not close within ${closeMs / 1000} s`)), closeMs);
    });
    try {
      return await Promise.race([close(...args), hung]);
    } finally {
      clearTimeout(timer);
    }
  };
  return browser;
}

// axe-core's violations on the page, one line each ("id (impact) ×n: first targets"); the
// context must bypass the page's CSP, which refuses the added script.
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export async function axeViolations(page) {
  await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  return found.map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

// Signs in through the page's form as a member would, and waits to leave the sign-in page.
export async function signInThroughForm(page, base, login, password) {
  await page.goto(base + '/signin');
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

// Page errors and console errors into `list`, for a test to assert none happened.
export function collectErrors(page, list) {
  page.on('pageerror', (e) => list.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') list.push(`${page.url()}: ${m.text()}`); });
}
