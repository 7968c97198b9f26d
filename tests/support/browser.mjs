// Launches Debian's Chromium through playwright-core (never a downloaded browser).
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
