// Helpers for the reach, paging and own-content suites: reading a page's head as a search
// engine does, its JSON-LD, and changing the database file beneath a running server (the clock
// moved on, a post with a large id) the way the recovery suite does.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// Runs SQL on the server's database file (WAL: beside the running server).
export async function sql(server, statement) {
  const { stdout } = await run('sqlite3', ['-cmd', '.timeout 5000', join(server.dir, 'peerdesk.db'), statement]);
  return stdout.trim();
}

const entities = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decode = (s) => s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => entities[m]);

// <meta name|property="key" content="…"> values of a page, decoded.
export function metas(html) {
  const head = html.slice(0, html.indexOf('</head>'));
  const out = {};
  for (const m of head.matchAll(/<meta (?:name|property)="([^"]+)" content="([^"]*)">/g)) out[m[1]] = decode(m[2]);
  const canonical = /<link rel="canonical" href="([^"]+)">/.exec(head);
  if (canonical) out.canonical = decode(canonical[1]);
  const title = /<title>([^<]*)<\/title>/.exec(head);
  if (title) out.title = decode(title[1]);
  return out;
}

// The page's JSON-LD blocks, parsed, with their raw text.
export function jsonLd(html) {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => ({ raw: m[1], data: JSON.parse(m[1]) }));
}

// schema.org's QAPage as search engines require it (Google's Q&A rich results: QAPage with a
// Question as mainEntity; Question: name, answerCount, and acceptedAnswer or suggestedAnswer;
// Answer: text; and the recommended author, dateCreated, upvoteCount, url). Answers the list
// of what is missing or wrong, empty when valid.
export function qaPageProblems(doc) {
  const problems = [];
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
  const need = (cond, what) => { if (!cond) problems.push(what); };
  need(doc['@context'] === 'https://schema.org', '@context is https://schema.org');
  need(doc['@type'] === 'QAPage', '@type is QAPage');
  const q = doc.mainEntity || {};
  need(q['@type'] === 'Question', 'mainEntity is a Question');
  need(typeof q.name === 'string' && q.name.length > 0, 'Question.name');
  need(typeof q.text === 'string' && q.text.length > 0, 'Question.text');
  need(Number.isInteger(q.answerCount), 'Question.answerCount is an integer');
  need(iso.test(q.dateCreated || ''), 'Question.dateCreated is ISO 8601');
  need(q.author && q.author['@type'] === 'Person' && q.author.name, 'Question.author is a Person with a name');
  const answers = [...(q.acceptedAnswer ? [q.acceptedAnswer] : []), ...(q.suggestedAnswer || [])];
  need(q.answerCount === 0 || answers.length > 0, 'an answered Question has acceptedAnswer or suggestedAnswer');
  for (const a of answers) {
    need(a['@type'] === 'Answer', 'each answer is an Answer');
    need(typeof a.text === 'string' && a.text.length > 0, 'Answer.text');
    need(Number.isInteger(a.upvoteCount), 'Answer.upvoteCount is an integer');
    need(iso.test(a.dateCreated || ''), 'Answer.dateCreated is ISO 8601');
    need(/^https?:\/\/[^#]+#answer-\d+$/.test(a.url || ''), 'Answer.url is absolute, at the answer');
    need(a.author && a.author['@type'] === 'Person' && a.author.name, 'Answer.author is a Person with a name');
  }
  return problems;
}

// <loc> and <lastmod> pairs of a sitemap or sitemap index.
export function sitemapEntries(xml) {
  return [...xml.matchAll(/<(?:url|sitemap)><loc>([^<]+)<\/loc>(?:<lastmod>([^<]+)<\/lastmod>)?<\/(?:url|sitemap)>/g)]
    .map((m) => ({ loc: m[1], lastmod: m[2] }));
}
