// Atom feeds read back by a real feed parser (Debian's python3-feedparser, through
// feed_check.py): what a feed reader would make of peerdesk's feeds.
import { spawn } from 'node:child_process';

const python = process.env.PEERDESK_PYTHON || '/usr/bin/python3';
const checker = new URL('./feed_check.py', import.meta.url).pathname;

// The feed as feedparser reads it (title, entries with links, ...), or an error with its words.
export function parseFeed(text) {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [checker]);
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
    child.stdin.end(text);
  });
}
