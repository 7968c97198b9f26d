// peerdesk: voting, accepting, preview, the live bell and mention suggestions without a reload. Every form also works without
// this script; here each is sent to the JSON API instead and the page is updated in place.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : '';
  var toast = document.querySelector('.toast');
  var toastTimer = null;

  function say(message) {
    if (!toast) { window.alert(message); return; }
    toast.textContent = message;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.hidden = true; }, 5000);
  }

  function api(method, path, body) {
    return fetch('/api/v1' + path, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) return {};
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error ? data.error.message : 'Something went wrong.');
        return data;
      });
    });
  }

  function signedIn() { return csrf !== ''; }

  // Buttons that destroy or break something ask first. Without this script they act at once,
  // as a form always has; the server decides either way. Capture runs it before other handlers.
  document.addEventListener('submit', function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Votes and acceptance are buttons of the page's one form (#act), each naming its own address.
  document.addEventListener('submit', function (event) {
    var button = event.submitter;
    if (!button || !signedIn()) return;
    if (button.hasAttribute('data-vote')) {
      event.preventDefault();
      vote(button);
    } else if (button.hasAttribute('data-accept')) {
      event.preventDefault();
      accept(button);
    }
  });

  function vote(button) {
    var box = button.closest('.votes');
    var postId = box.getAttribute('data-post');
    var value = parseInt(button.value, 10);
    api('POST', '/posts/' + postId + '/vote', { value: value }).then(function (result) {
      box.querySelector('.score').textContent = result.score;
      var up = box.querySelector('.vote.up[data-vote]'), down = box.querySelector('.vote.down[data-vote]');
      if (up) { up.value = result.my_vote === 1 ? '0' : '1'; setPressed(up, result.my_vote === 1); }
      if (down) { down.value = result.my_vote === -1 ? '0' : '-1'; setPressed(down, result.my_vote === -1); }
    }).catch(function (error) { say(error.message); });
  }

  function setPressed(button, on) {
    button.classList.toggle('on', on);
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
  }

  function accept(button) {
    var answer = button.closest('.answer');
    var answerId = answer.id.replace('answer-', '');
    var accepting = button.value === 'accept';
    api(accepting ? 'POST' : 'DELETE', '/answers/' + answerId + '/accept').then(function () {
      // The accepted answer is shown first, so the thread is laid out again.
      document.querySelectorAll('.answer').forEach(function (other) {
        var on = accepting && other === answer;
        other.classList.toggle('accepted', on);
        var banner = other.querySelector('.accepted-banner');
        if (banner) banner.remove();
        var mark = other.querySelector('.accepted-mark');
        if (mark) mark.remove();
        var f = other.querySelector('[data-accept]');
        if (f) {
          f.value = on ? 'unaccept' : 'accept';
          f.textContent = on ? 'Unaccept' : 'Accept';
        }
        if (on) {
          var p = document.createElement('p');
          p.className = 'accepted-banner';
          p.textContent = '✓ Accepted answer';
          other.insertBefore(p, other.firstChild);
          var m = document.createElement('span');
          m.className = 'accepted-mark';
          m.title = 'Accepted answer';
          m.setAttribute('aria-label', 'Accepted answer');
          m.textContent = '✓';
          var votes = other.querySelector('.votes');
          votes.insertBefore(m, f || null);
          var heading = document.getElementById('answers-heading');
          heading.parentNode.insertBefore(other, heading.nextSibling);
        }
      });
      say(accepting ? 'Answer accepted.' : 'Acceptance withdrawn.');
    }).catch(function (error) { say(error.message); });
  }

  // A thread carries no form per post: "Add a comment", "Reply" and "Flag" are links to the
  // page with that one form open. Here the form is fetched and put in place without a reload;
  // anything unexpected falls back to following the link.
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a.add-comment, a.reply-link, a.flag-link');
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var id = link.hash.slice(1);
    event.preventDefault();
    fetch(link.href, { credentials: 'same-origin' }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var found = new DOMParser().parseFromString(html, 'text/html').getElementById(id);
      if (!found) { location.href = link.href; return; }
      var form = document.importNode(found, true);
      if (link.classList.contains('reply-link')) {
        link.closest('li.comment').appendChild(form);
        link.remove();
      } else if (link.classList.contains('flag-link') && id.indexOf('flag-comment-') !== 0) {
        link.closest('.post-foot').after(form);
        link.remove();
      } else {
        link.replaceWith(form);
      }
      var field = form.querySelector('textarea, input[type="radio"], input[type="text"]');
      if (field) field.focus();
    }).catch(function () { location.href = link.href; });
  });

  // The colour scheme switch: remembered in this browser, applied before drawing by theme.js.
  // Shown before the header is measured below, as it takes room in it.
  var themeSwitch = document.querySelector('[data-theme-switch]');
  if (themeSwitch) {
    var darkNow = function () {
      var chosen = document.documentElement.getAttribute('data-theme');
      return chosen ? chosen === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
    };
    var showState = function () { themeSwitch.setAttribute('aria-pressed', darkNow() ? 'true' : 'false'); };
    themeSwitch.hidden = false;
    showState();
    themeSwitch.addEventListener('click', function () {
      var next = darkNow() ? 'light' : 'dark';
      document.documentElement.setAttribute('data-theme', next);
      try { localStorage.setItem('peerdesk-theme', next); } catch (e) { /* kept for this page only */ }
      showState();
    });
  }

  // The sticky header is as tall as its links need at this width; a post reached by its
  // #anchor is scrolled to just below it rather than under it.
  var header = document.querySelector('.top');
  function roomForHeader() {
    var sticky = header && getComputedStyle(header).position === 'sticky';
    document.documentElement.style.scrollPaddingTop = sticky ? (header.offsetHeight + 12) + 'px' : '';
  }
  roomForHeader();
  window.addEventListener('resize', roomForHeader);
  // A comment folded behind "show N more" opens when a link leads to it. A link that names an
  // answer or comment this page of a long thread does not hold (an address kept from before the
  // thread was paged) asks the server where it is now.
  function reveal(hash) {
    var id = hash.length > 1 && decodeURIComponent(hash.slice(1));
    var found = id && document.getElementById(id);
    if (found) {
      var folded = found.closest('details');
      if (folded && !folded.open) folded.open = true;
      return found;
    }
    var m = id && /^(answer|comment)-(\d+)$/.exec(id);
    if (m && location.pathname.indexOf('/questions/') === 0)
      location.replace((m[1] === 'answer' ? '/a/' : '/comments/') + m[2]);
    return null;
  }
  var folded = location.hash.length > 1 && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  folded = folded && folded.closest('details:not([open])');
  var target = reveal(location.hash);
  if (target && (folded || target.getBoundingClientRect().top < (header ? header.getBoundingClientRect().bottom : 0)))
    target.scrollIntoView();
  window.addEventListener('hashchange', function () {
    var to = reveal(location.hash);
    if (to) to.scrollIntoView();
  });

  // "Share" copies the answer's permanent address; without a clipboard it is a plain link.
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-share]');
    if (!link || !navigator.clipboard || event.button !== 0 || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    navigator.clipboard.writeText(link.href).then(function () { say('Link to this answer copied.'); },
      function () { location.href = link.href; });
  });


  // The server writes the exact time in UTC; on hover people see it in their own time zone
  // and language, with UTC kept beside it.
  if (window.Intl && Intl.DateTimeFormat) {
    var local = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric',
      hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
    document.querySelectorAll('time[datetime][title]').forEach(function (t) {
      var when = new Date(t.getAttribute('datetime'));
      if (!isNaN(when) && /UTC$/.test(t.title)) t.title = local.format(when) + ' (' + t.title + ')';
    });
  }

  // A code block wider than the page scrolls sideways; keyboard users need to reach it too.
  document.querySelectorAll('.prose pre').forEach(function (pre) {
    if (pre.scrollWidth > pre.clientWidth) pre.tabIndex = 0;
  });

  // Live preview: the server renders exactly as it will store, so what you see is what posts.
  document.querySelectorAll('textarea[data-preview]').forEach(function (area) {
    var target = document.getElementById(area.getAttribute('data-preview'));
    var timer = null, sent = 0;
    function update() {
      var text = area.value;
      if (text.trim() === '') { target.hidden = true; return; }
      var ticket = ++sent;
      api('POST', '/preview', { body: text }).then(function (result) {
        if (ticket !== sent) return;
        target.innerHTML = result.body_html;
        target.hidden = false;
      }).catch(function (error) {
        if (ticket !== sent) return;
        target.textContent = error.message;
        target.hidden = false;
      });
    }
    area.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(update, 250);
    });
    if (area.value.trim() !== '') update();
  });

  // Closing as a duplicate: pick the original from the related questions or a search instead
  // of looking up its id. The id field stays, and is all there is without this script.
  document.querySelectorAll('[data-dup-picker]').forEach(function (picker) {
    var questionId = picker.getAttribute('data-dup-picker');
    var form = picker.closest('form');
    var idField = form.elements.duplicate_of;
    var reason = form.elements.reason;
    var search = picker.querySelector('input[type="search"]');
    var list = picker.querySelector('.dup-results');
    var related = null, timer = null, sent = 0;
    function show(items) {
      list.textContent = '';
      var seen = {};
      items.forEach(function (item) {
        var id = String(item.question_id);
        if (id === questionId || seen[id]) return;
        seen[id] = true;
        var li = document.createElement('li');
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'dup-choice';
        b.setAttribute('aria-pressed', idField.value === id ? 'true' : 'false');
        b.textContent = item.title;
        var meta = document.createElement('span');
        meta.className = 'muted';
        meta.textContent = ' #' + id + ' · ' + item.answer_count + (item.answer_count === 1 ? ' answer' : ' answers') +
          (item.accepted ? ', accepted' : '');
        b.appendChild(meta);
        b.addEventListener('click', function () {
          idField.value = id;
          list.querySelectorAll('.dup-choice').forEach(function (other) {
            other.setAttribute('aria-pressed', other === b ? 'true' : 'false');
          });
        });
        li.appendChild(b);
        list.appendChild(li);
      });
      if (!list.firstChild) {
        var none = document.createElement('li');
        none.className = 'muted';
        none.textContent = search.value.trim() ? 'No question matches; try other words.' : 'No related questions found; type to search.';
        list.appendChild(none);
      }
    }
    function update() {
      var q = search.value.trim();
      var ticket = ++sent;
      if (q === '') {
        if (related) { show(related); return; }
        fetch('/api/v1/questions/' + questionId + '/similar', { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          // None found may only mean the index has not caught up: ask again next time.
          .then(function (data) { related = data.items.length ? data.items : null; if (ticket === sent) show(data.items); })
          .catch(function () { /* the id field still works */ });
        return;
      }
      fetch('/api/v1/search?q=' + encodeURIComponent(q), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { if (ticket === sent) show(data.items); })
        .catch(function () { /* the id field still works */ });
    }
    function follow() { picker.hidden = reason && reason.value !== 'duplicate'; }
    if (reason) reason.addEventListener('change', follow);
    search.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(update, 250);
    });
    follow();
    update();
  });

  // Similar questions while a title is typed: duplicates are found before they are posted.
  // Links open in a new tab so that the question being written is not lost.
  document.querySelectorAll('input[data-similar]').forEach(function (input) {
    var box = document.getElementById(input.getAttribute('data-similar'));
    var list = box.querySelector('ul');
    // The ideas form asks for similar ideas; the ask page for similar questions.
    var source = input.getAttribute('data-similar-url') || '/api/v1/similar';
    var timer = null, sent = 0;
    function show(items) {
      list.textContent = '';
      items.forEach(function (item) {
        var li = document.createElement('li');
        var count = document.createElement('span');
        if (item.votes !== undefined) {
          count.className = 'count-badge';
          count.textContent = item.votes;
          count.title = item.votes + (item.votes === 1 ? ' vote' : ' votes');
        } else {
          count.className = 'count-badge' + (item.accepted ? ' accepted' : '');
          count.textContent = item.answer_count;
          count.title = item.answer_count + (item.answer_count === 1 ? ' answer' : ' answers') +
            (item.accepted ? ', one accepted' : '');
        }
        var a = document.createElement('a');
        a.href = item.url;
        a.target = '_blank';
        a.rel = 'noopener';
        a.textContent = item.title;
        li.appendChild(count);
        li.appendChild(document.createTextNode(' '));
        li.appendChild(a);
        list.appendChild(li);
      });
      box.hidden = items.length === 0;
    }
    function update() {
      var title = input.value.trim();
      if (title.length < 4) { show([]); return; }
      var ticket = ++sent;
      fetch(source + '?title=' + encodeURIComponent(title), { credentials: 'same-origin' })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) { if (ticket === sent) show(data.items); })
        .catch(function () { /* similar questions are a help, not a need */ });
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(update, 250);
    });
    if (input.value.trim() !== '') update();
  });
  // The bell in the header: its count follows the member's notifications as they happen
  // (Server-Sent Events), and a new one is announced. Without this script the count is the one
  // the page was rendered with.
  var bell = document.querySelector('.bell');
  if (bell && window.EventSource) {
    var showCount = function (n) {
      var count = bell.querySelector('.bell-count');
      var text = n >= 100 ? '99+' : String(n);
      count.textContent = text;
      count.hidden = n === 0;
      bell.setAttribute('data-unread', String(n));
      bell.setAttribute('aria-label', 'Notifications: ' + text + ' unread');
    };
    var events = new EventSource('/api/v1/events');
    events.addEventListener('ready', function (e) { showCount(JSON.parse(e.data).unread); });
    events.addEventListener('notification', function (e) {
      var data = JSON.parse(e.data);
      var before = parseInt(bell.getAttribute('data-unread'), 10) || 0;
      showCount(data.unread);
      if (data.unread > before && data.notification) say(data.notification.text);
    });
    window.addEventListener('pagehide', function () { events.close(); });
  }

  // "@na" in a post or comment offers members' names: a list under the text box, used with
  // the arrow keys, Enter or Tab to choose, Escape to close. The text box keeps its role (a
  // textarea may not be a combobox): it points at the list and its active option, and a
  // polite status says how many names are offered.
  function mentions(textarea) {
    var list = document.createElement('ul');
    var listId = (textarea.id || 'body') + '-mentions';
    list.id = listId;
    list.className = 'mention-list';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Members to mention');
    list.hidden = true;
    var status = document.createElement('span');
    status.className = 'sr-only';
    status.setAttribute('role', 'status');
    textarea.insertAdjacentElement('afterend', list);
    list.insertAdjacentElement('afterend', status);
    textarea.setAttribute('aria-autocomplete', 'list');
    textarea.setAttribute('aria-controls', listId);
    var names = [], active = -1, timer = null, ticket = 0, start = -1;

    function close() {
      list.hidden = true;
      names = [];
      active = -1;
      textarea.removeAttribute('aria-activedescendant');
    }
    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) {
        li.setAttribute('aria-selected', j === i ? 'true' : 'false');
      });
      if (i >= 0) textarea.setAttribute('aria-activedescendant', listId + '-' + i);
    }
    function choose(i) {
      var name = names[i];
      if (!name) return;
      var caret = textarea.selectionStart;
      var text = textarea.value;
      textarea.value = text.slice(0, start) + '@' + name + ' ' + text.slice(caret);
      var at = start + name.length + 2;
      textarea.setSelectionRange(at, at);
      close();
      textarea.focus();
    }
    function show(items) {
      list.textContent = '';
      names = items.map(function (u) { return u.username; });
      names.forEach(function (name, i) {
        var li = document.createElement('li');
        li.id = listId + '-' + i;
        li.setAttribute('role', 'option');
        li.textContent = '@' + name;
        li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (names.length === 0) { close(); return; }
      list.hidden = false;
      status.textContent = names.length + (names.length === 1 ? ' member' : ' members') +
        ' to mention: arrow keys to choose, Enter to insert, Escape to close.';
      highlight(0);
    }
    textarea.addEventListener('input', function () {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var m = /(^|[^A-Za-z0-9_.\-@])@([A-Za-z0-9][A-Za-z0-9_.\-]{0,29})$/.exec(before);
      clearTimeout(timer);
      if (!m) { close(); return; }
      start = before.length - m[2].length - 1;
      var prefix = m[2];
      timer = setTimeout(function () {
        var mine = ++ticket;
        fetch('/api/v1/usernames?prefix=' + encodeURIComponent(prefix), { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) { if (mine === ticket) show(data.items); })
          .catch(function () { close(); });
      }, 150);
    });
    textarea.addEventListener('keydown', function (e) {
      if (list.hidden) return;
      if (e.key === 'ArrowDown') { e.preventDefault(); highlight((active + 1) % names.length); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); highlight((active - 1 + names.length) % names.length); }
      else if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); choose(active); }
      else if (e.key === 'Escape') { e.preventDefault(); close(); }
    });
    textarea.addEventListener('blur', function () { setTimeout(close, 100); });
  }
  if (signedIn()) Array.prototype.forEach.call(document.querySelectorAll('textarea[name="body"]'), mentions);
  // ---- The editors: images, drafts, tag suggestions ----

  // Puts text at the caret of a text box and tells the preview and the draft about it.
  function insertAtCaret(area, text) {
    var start = area.selectionStart, end = area.selectionEnd, value = area.value;
    var before = value.slice(0, start), after = value.slice(end);
    // An image is a paragraph of its own: a blank line before it, unless the text starts there.
    var lead = before === '' || /\n\n$/.test(before) ? '' : /\n$/.test(before) ? '\n' : '\n\n';
    area.value = before + lead + text + '\n' + after;
    var caret = (before + lead + text + '\n').length;
    area.setSelectionRange(caret, caret);
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }

  // Images: pick a file, paste one, or drop one on the text box; each goes to the server, which
  // checks and stores it, and its Markdown goes where the caret was.
  Array.prototype.forEach.call(document.querySelectorAll('form.editor'), function (form) {
    var area = form.querySelector('textarea[name="body"]');
    var input = form.querySelector('[data-upload-input]');
    var status = form.querySelector('[data-upload-status]');
    var button = form.querySelector('[data-upload-button]');
    if (!area || !input || !signedIn()) return;
    if (button) button.hidden = true;  // the file field sends at once; the button is for pages without this script
    var field = form.querySelector('[data-upload-field]');
    if (field) field.hidden = false;  // a field that works only with this script (the edit form)
    function tell(message) { if (status) status.textContent = message; }
    tell('Choose a file, paste an image, or drop one on the text box.');
    function send(file) {
      if (!file) return;
      if (!/^image\/(png|jpeg|gif|webp)$/.test(file.type)) { tell('Only PNG, JPEG, GIF and WebP images can be added.'); return; }
      tell('Uploading ' + (file.name || 'the image') + '…');
      var data = new FormData();
      data.append('file', file, file.name || 'pasted.png');
      fetch('/api/v1/uploads', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf }, body: data })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.error ? body.error.message : 'The image was not uploaded.');
            return body;
          });
        })
        .then(function (body) {
          var name = (file.name || 'image').replace(/\.[a-z0-9]+$/i, '').replace(/[\[\]]/g, '');
          insertAtCaret(area, '![' + (name || 'image') + '](' + body.url + ')');
          tell('Image added (' + body.width + ' × ' + body.height + '). Describe it in the brackets for people who cannot see it.');
        })
        .catch(function (error) { tell(error.message); });
    }
    input.addEventListener('change', function () { send(input.files[0]); input.value = ''; });
    area.addEventListener('paste', function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length && /^image\//.test(files[0].type)) { event.preventDefault(); send(files[0]); }
    });
    area.addEventListener('dragover', function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, 'Files') >= 0) event.preventDefault();
    });
    area.addEventListener('drop', function (event) {
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) { event.preventDefault(); send(files[0]); }
    });
  });

  // Drafts: what is typed is kept on the server a moment after typing stops, so that it is
  // there again after a closed tab or on another device (the server puts it back in the form);
  // posting drops it.
  Array.prototype.forEach.call(document.querySelectorAll('form[data-draft]'), function (form) {
    if (!signedIn()) return;
    var key = form.getAttribute('data-draft');
    var area = form.elements.body, title = form.elements.title, tags = form.elements.tags;
    if (!area) return;
    var timer = null, saved = null;
    function current() {
      var d = { body: area.value };
      if (key === 'ask') {
        d.title = title ? title.value : '';
        d.tags = tags ? tags.value.split(/[\s,]+/).filter(Boolean).slice(0, 20) : [];
      }
      return d;
    }
    function save() {
      var d = current(), text = JSON.stringify(d);
      if (text === saved) return;
      var empty = d.body.trim() === '' && !(d.title || '').trim();
      (empty ? api('DELETE', '/drafts/' + key) : api('PUT', '/drafts/' + key, d))
        .then(function () { saved = text; })
        .catch(function (error) { say('Your draft was not saved: ' + error.message); });
    }
    form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(save, 1200); });
    form.addEventListener('submit', function () { clearTimeout(timer); });
    // The page came with the draft already in it (the server fills the form), so it starts saved.
    saved = JSON.stringify(current());
  });

  // The tag field suggests existing tags with their counts and descriptions as a combobox
  // (WAI-ARIA 1.2: the list is announced, arrows move, Enter or Tab takes, Escape closes).
  Array.prototype.forEach.call(document.querySelectorAll('input[data-tag-suggest]'), function (field) {
    var list = document.createElement('ul');
    list.id = field.id + '-suggestions';
    list.className = 'tag-suggestions';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Suggestions');
    list.hidden = true;
    field.parentNode.insertBefore(list, field.nextSibling);
    field.setAttribute('role', 'combobox');
    field.setAttribute('aria-autocomplete', 'list');
    field.setAttribute('aria-expanded', 'false');
    field.setAttribute('aria-controls', list.id);
    var items = [], active = -1, timer = null, sent = 0;
    function word() { var m = /([^\s,]*)$/.exec(field.value.slice(0, field.selectionStart)); return m ? m[1] : ''; }
    function close() {
      list.hidden = true; list.textContent = ''; items = []; active = -1;
      field.setAttribute('aria-expanded', 'false');
      field.removeAttribute('aria-activedescendant');
    }
    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, n) { li.setAttribute('aria-selected', n === i ? 'true' : 'false'); });
      if (i >= 0) field.setAttribute('aria-activedescendant', list.children[i].id);
      else field.removeAttribute('aria-activedescendant');
    }
    function take(i) {
      var name = items[i].name, caret = field.selectionStart;
      var before = field.value.slice(0, caret).replace(/[^\s,]*$/, ''), after = field.value.slice(caret).replace(/^[^\s,]*/, '');
      field.value = before + name + ' ' + after.replace(/^\s+/, '');
      var at = (before + name + ' ').length;
      field.setSelectionRange(at, at);
      close();
      field.dispatchEvent(new Event('input', { bubbles: true }));
    }
    function show(found) {
      items = found; list.textContent = '';
      if (!found.length) { close(); return; }
      found.forEach(function (t, i) {
        var li = document.createElement('li');
        li.id = list.id + '-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        var name = document.createElement('span'); name.className = 'tag'; name.textContent = t.name;
        var count = document.createElement('span'); count.className = 'muted'; count.textContent = ' ' + t.count + (t.count === 1 ? ' question' : ' questions');
        li.appendChild(name); li.appendChild(count);
        if (t.description) { var d = document.createElement('span'); d.className = 'tag-description'; d.textContent = t.description; li.appendChild(d); }
        li.addEventListener('mousedown', function (event) { event.preventDefault(); take(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      field.setAttribute('aria-expanded', 'true');
      highlight(-1);
    }
    field.addEventListener('input', function (event) {
      if (!event.isTrusted) return;
      clearTimeout(timer);
      var w = word();
      if (!w) { close(); return; }
      timer = setTimeout(function () {
        var ticket = ++sent;
        api('GET', '/tags?q=' + encodeURIComponent(w) + '&pagesize=8').then(function (r) {
          if (ticket === sent) show(r.items);
        }).catch(close);
      }, 150);
    });
    field.addEventListener('keydown', function (event) {
      if (list.hidden) return;
      if (event.key === 'ArrowDown') { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === 'ArrowUp') { event.preventDefault(); highlight(active <= 0 ? items.length - 1 : active - 1); }
      else if ((event.key === 'Enter' || event.key === 'Tab') && active >= 0) { event.preventDefault(); take(active); }
      else if (event.key === 'Escape') { event.preventDefault(); close(); }
    });
    field.addEventListener('blur', function () { setTimeout(close, 150); });
  });
})();
