// Reading the insights pages as a test needs to: the figures by id, a table's header and rows,
// and each server-drawn chart's marks (data-label, data-series, data-value), title and desc.
const decode = (s) => s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&#39;/g, "'").replace(/&amp;/g, '&').trim();

export function figure(html, id) {
  const m = new RegExp(`<dd id="${id}">([^<]*)</dd>`).exec(html);
  if (!m) throw new Error(`no figure ${id}`);
  return decode(m[1]);
}

export function tableOf(html, id) {
  const start = html.indexOf(`<table id="${id}">`);
  if (start < 0) throw new Error(`no table ${id}`);
  const t = html.slice(start, html.indexOf('</table>', start));
  const head = t.slice(t.indexOf('<thead>'), t.indexOf('</thead>'));
  const columns = [...head.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => decode(m[1]));
  const body = t.slice(t.indexOf('<tbody>'));
  const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => decode(c[1])));
  return { columns, rows };
}

export function chartMarks(html) {
  const charts = [];
  for (const m of html.matchAll(/<svg [^>]*class="chart"[^>]*>([\s\S]*?)<\/svg>/g)) {
    const open = m[0].slice(0, m[0].indexOf('>'));
    const attr = (s, name) => (new RegExp(`${name}="([^"]*)"`).exec(s) || [])[1];
    const marks = [...m[1].matchAll(/<(?:rect|path) [^>]*data-label="([^"]*)"[^>]*data-series="([^"]*)"[^>]*data-value="(-?\d+)"/g)]
      .map((x) => ({ label: decode(x[1]), series: decode(x[2]), value: Number(x[3]) }));
    charts.push({
      id: attr(open, 'id'),
      table: attr(open, 'data-table'),
      title: decode((/<title id="[^"]*">([\s\S]*?)<\/title>/.exec(m[1]) || [])[1] || ''),
      desc: decode((/<desc id="[^"]*">([\s\S]*?)<\/desc>/.exec(m[1]) || [])[1] || ''),
      marks,
    });
  }
  return charts;
}
