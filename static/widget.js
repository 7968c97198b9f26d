// peerdesk search widget: one script, no framework, no cookies, no requests to anyone but the
// community it comes from. Paste:
//   <script src="https://community.example.com/widget.js" data-key="pk_…" async></script>
//   <div data-peerdesk-search></div>
// Theming: data-accent, data-radius, data-placeholder and data-text-* on the div or the script,
// or the CSS custom properties --peerdesk-accent, --peerdesk-radius, --peerdesk-font,
// --peerdesk-text, --peerdesk-background on the div.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL(script.src).origin;
  var key = script.getAttribute('data-key') || '';

  var css = [
    ':host { display: block; }',
    // all: initial keeps the host page's inherited styles (colour, font, spacing) out.
    '.pd { all: initial; display: block; position: relative; width: 100%; font-family: var(--peerdesk-font, system-ui, sans-serif);',
    '  font-size: 16px; line-height: 1.45; color: var(--peerdesk-text, #1d2330); }',
    '* { box-sizing: border-box; }',
    '.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }',
    'input { width: 100%; font: inherit; font-size: 1rem; padding: .65rem .85rem; color: inherit;',
    '  background: var(--peerdesk-background, #fff); border: 1px solid #c9ced8; border-radius: var(--peerdesk-radius, 8px); }',
    'input:focus { outline: 3px solid color-mix(in srgb, var(--peerdesk-accent, #2456d6) 35%, transparent); border-color: var(--peerdesk-accent, #2456d6); }',
    'ul { list-style: none; margin: .35rem 0 0; padding: .25rem; background: var(--peerdesk-background, #fff);',
    '  border: 1px solid #e1e4ea; border-radius: var(--peerdesk-radius, 8px); box-shadow: 0 8px 24px rgba(20,30,60,.12); }',
    'li { border-radius: calc(var(--peerdesk-radius, 8px) - 2px); }',
    'li[aria-selected="true"], li:hover { background: color-mix(in srgb, var(--peerdesk-accent, #2456d6) 9%, transparent); }',
    '.hit { display: block; padding: .55rem .65rem; cursor: pointer; }',
    '.title { display: block; font-weight: 600; color: var(--peerdesk-accent, #2456d6); line-height: 1.3; }',
    // Colours, not opacity: text keeps its contrast over the highlighted row.
    '.snippet { display: block; font-size: .875rem; color: var(--peerdesk-muted, #474f5f); margin-top: .15rem; overflow-wrap: anywhere; }',
    'mark { background: #fff1b8; color: inherit; padding: 0 .1em; border-radius: 2px; }',
    '.meta { display: block; font-size: .8rem; color: var(--peerdesk-muted, #474f5f); margin-top: .2rem; }',
    '.accepted { color: #126a3c; font-weight: 700; }',
    '.empty { margin: .5rem 0 0; font-size: .95rem; }',
    '.empty a, .more a { color: var(--peerdesk-accent, #2456d6); font-weight: 600; }',
    '.more { margin: .35rem 0 0; padding: 0 .65rem; font-size: .85rem; }',
  ].join('\n');

  function text(host, name, fallback) {
    return host.getAttribute('data-' + name) || script.getAttribute('data-' + name) || fallback;
  }

  function styleRoot(root) {
    // Constructed style sheets are not inline styles: a host page's strict CSP allows them.
    if ('adoptedStyleSheets' in Document.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } else {
      var style = document.createElement('style');
      style.textContent = css;
      root.appendChild(style);
    }
  }

  // The snippet is the community's escaped text with <mark> around matches; only text and
  // MARK survive the copy, so nothing else can reach the host page.
  function appendSnippet(target, html) {
    var doc = new DOMParser().parseFromString('<body>' + html + '</body>', 'text/html');
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeType === 3) target.appendChild(document.createTextNode(node.textContent));
      else if (node.nodeName === 'MARK') {
        var m = document.createElement('mark');
        m.textContent = node.textContent;
        target.appendChild(m);
      }
    });
  }

  var count = 0;
  function mount(host) {
    if (host.shadowRoot || host.getAttribute('data-peerdesk-mounted')) return;
    host.setAttribute('data-peerdesk-mounted', '');
    var id = 'pd' + (++count);
    var words = {
      label: text(host, 'text-label', 'Search the community'),
      placeholder: text(host, 'placeholder', 'Search answers from the community…'),
      ask: text(host, 'text-ask', 'Ask the community'),
      empty: text(host, 'text-empty', 'No answers yet for'),
      answer: text(host, 'text-answer', 'answer'),
      answers: text(host, 'text-answers', 'answers'),
      accepted: text(host, 'text-accepted', 'Accepted answer'),
      results: text(host, 'text-results', 'results'),
      error: text(host, 'text-error', 'Search is not available right now.'),
    };
    if (text(host, 'accent', '')) host.style.setProperty('--peerdesk-accent', text(host, 'accent', ''));
    if (text(host, 'radius', '')) host.style.setProperty('--peerdesk-radius', text(host, 'radius', ''));

    var root = host.attachShadow({ mode: 'open' });
    styleRoot(root);
    var box = document.createElement('div');
    box.className = 'pd';
    box.setAttribute('role', 'search');
    var label = document.createElement('label');
    label.className = 'sr';
    label.htmlFor = id + '-q';
    label.textContent = words.label;
    var input = document.createElement('input');
    input.id = id + '-q';
    input.type = 'search';
    input.placeholder = words.placeholder;
    input.autocomplete = 'off';
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', id + '-list');
    var status = document.createElement('div');
    status.className = 'sr';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    var list = document.createElement('ul');
    list.id = id + '-list';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', words.label);
    list.hidden = true;
    var empty = document.createElement('p');
    empty.className = 'empty';
    empty.hidden = true;
    // The way to ask sits after the list: a listbox holds options only, and an option no link.
    var more = document.createElement('p');
    more.className = 'more';
    more.hidden = true;
    box.append(label, input, status, list, more, empty);
    root.appendChild(box);

    var timer = null, ticket = 0, active = -1, lastQuery = '';

    function options() { return list.querySelectorAll('[role="option"]'); }
    function setActive(i) {
      var all = options();
      if (!all.length) return;
      active = (i + all.length) % all.length;
      all.forEach(function (o, n) { o.setAttribute('aria-selected', n === active ? 'true' : 'false'); });
      input.setAttribute('aria-activedescendant', all[active].id);
      all[active].scrollIntoView({ block: 'nearest' });
    }
    function close() {
      list.hidden = true;
      more.hidden = true;
      empty.hidden = true;
      active = -1;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    }
    function askLink(q, data) {
      var a = document.createElement('a');
      a.href = base + (data && data.ask_url ? data.ask_url : '/questions/ask?title=' + encodeURIComponent(q));
      a.target = '_blank';
      a.rel = 'noopener';
      a.textContent = words.ask;
      return a;
    }
    // The community counts a result followed and the search it came from; a plain-text body
    // and no credentials, so that no preflight is needed and no cookie goes along.
    function report(option) {
      try {
        fetch(base + '/api/v1/widget/clicks?key=' + encodeURIComponent(key), {
          method: 'POST', mode: 'cors', credentials: 'omit', keepalive: true,
          body: JSON.stringify({ q: lastQuery, question_id: Number(option.getAttribute('data-question')) }),
        }).catch(function () {});
      } catch (e) { /* counting never stands in the visitor's way */ }
    }
    function open(option) {
      report(option);
      window.open(option.getAttribute('data-url'), '_blank', 'noopener');
    }
    function show(q, data) {
      list.textContent = '';
      more.textContent = '';
      empty.textContent = '';
      active = -1;
      input.removeAttribute('aria-activedescendant');
      var items = data.items || [];
      items.forEach(function (item, n) {
        var li = document.createElement('li');
        li.id = id + '-opt-' + n;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.setAttribute('data-url', base + item.url);
        li.setAttribute('data-question', String(item.question_id));
        li.className = 'hit';
        li.addEventListener('click', function () { open(li); });
        var title = document.createElement('span');
        title.className = 'title';
        title.textContent = item.title;
        var snippet = document.createElement('span');
        snippet.className = 'snippet';
        appendSnippet(snippet, item.snippet_html || '');
        var meta = document.createElement('span');
        meta.className = 'meta';
        if (item.accepted) {
          var ok = document.createElement('span');
          ok.className = 'accepted';
          ok.textContent = '✓ ' + words.accepted + ' · ';
          meta.appendChild(ok);
        }
        meta.appendChild(document.createTextNode(item.answer_count + ' ' + (item.answer_count === 1 ? words.answer : words.answers)));
        li.append(title, snippet, meta);
        list.appendChild(li);
      });
      if (items.length) {
        more.appendChild(askLink(q, data));
        more.hidden = false;
        list.hidden = false;
        empty.hidden = true;
        input.setAttribute('aria-expanded', 'true');
        status.textContent = items.length + ' ' + words.results;
      } else {
        list.hidden = true;
        more.hidden = true;
        empty.append(words.empty + ' “' + q + '”. ', askLink(q, data));
        empty.hidden = false;
        input.setAttribute('aria-expanded', 'false');
        status.textContent = words.empty + ' “' + q + '”';
      }
    }
    function search() {
      var q = input.value.trim();
      if (q === lastQuery) return;
      lastQuery = q;
      if (q.length < 2) { close(); return; }
      var mine = ++ticket;
      var url = base + '/api/v1/widget/search?key=' + encodeURIComponent(key) + '&q=' + encodeURIComponent(q);
      fetch(url, { credentials: 'omit', mode: 'cors' })
        .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
        .then(function (res) {
          if (mine !== ticket) return;
          if (!res.ok) throw new Error(res.data && res.data.error ? res.data.error.message : words.error);
          show(q, res.data);
        })
        .catch(function () {
          if (mine !== ticket) return;
          close();
          empty.textContent = words.error;
          empty.hidden = false;
          status.textContent = words.error;
        });
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') { e.preventDefault(); if (!list.hidden) setActive(active + 1); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); if (!list.hidden) setActive(active - 1); }
      else if (e.key === 'Enter') {
        var all = options();
        if (active >= 0 && all[active]) {
          e.preventDefault();
          open(all[active]);
        } else {
          clearTimeout(timer);
          lastQuery = '';
          search();
        }
      } else if (e.key === 'Escape') {
        if (!list.hidden || !empty.hidden) close();
        else { input.value = ''; lastQuery = ''; }
      }
    });
  }

  function mountAll() { document.querySelectorAll('[data-peerdesk-search]').forEach(mount); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
  else mountAll();
})();
