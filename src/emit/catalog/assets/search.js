/* kpic catalog: client-side KPI search for index.html.
 *
 * Data comes from window.KPIC_INDEX, set by assets/search-index.js (loaded
 * just before this file), so the page works from file:// without fetch().
 * Every string in the index is untrusted: results are built with
 * createElement/textContent only.
 *
 * For browser tests, each search sets on <body>:
 *   data-search-ms  duration of the last search + render, in milliseconds
 *   data-matches    number of entries that matched (before the display cap)
 */
(function () {
  'use strict';

  var MAX_RESULTS = 100;
  var DESC_CHARS = 160;
  var FILTERS = ['team', 'tag', 'unit', 'lifecycle'];

  var form = document.getElementById('search-form');
  var input = document.getElementById('q');
  var list = document.getElementById('results');
  var count = document.getElementById('result-count');
  if (!form || !input || !list || !count) return;

  var selects = {};
  FILTERS.forEach(function (name) {
    selects[name] = document.getElementById('filter-' + name);
  });

  var index = window.KPIC_INDEX;
  var kpis = index && Array.isArray(index.kpis) ? index.kpis : null;
  if (!kpis) {
    count.textContent = 'The search index could not be loaded.';
    return;
  }

  var numberFormat = new Intl.NumberFormat('en-US');
  function fmt(n) { return numberFormat.format(n); }

  function str(v) { return typeof v === 'string' ? v : ''; }

  // ---- Precompute once: lower-cased fields and a stable base order -------

  var collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
  function codeUnitCmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  var entries = kpis.map(function (k) {
    var tags = Array.isArray(k.tags) ? k.tags.map(str) : [];
    var id = str(k.id);
    var title = str(k.title);
    return {
      kpi: k,
      tags: tags,
      id: id.toLowerCase(),
      title: title.toLowerCase(),
      rawId: id,
      rawTitle: title,
      hay: [id, title, str(k.description), tags.join(' '), str(k.team), str(k.team_name)]
        .join('\n').toLowerCase()
    };
  });

  // Ties are broken by title, then id; sorting once here means each search
  // only has to bucket matches by rank while walking this order.
  entries.sort(function (a, b) {
    return collator.compare(a.rawTitle, b.rawTitle) ||
      codeUnitCmp(a.rawTitle, b.rawTitle) ||
      codeUnitCmp(a.rawId, b.rawId);
  });

  // ---- Search ---------------------------------------------------------------

  function readState() {
    var state = { q: input.value };
    FILTERS.forEach(function (name) {
      state[name] = selects[name] ? selects[name].value : '';
    });
    return state;
  }

  function terms(q) {
    return q.toLowerCase().split(/\s+/).filter(Boolean);
  }

  // 0: exact id, 1: id or title starts with the first term,
  // 2: title contains every term, 3: everything else.
  function rank(e, ts) {
    if (ts.length === 0) return 3;
    var first = ts[0];
    if (e.id === first) return 0;
    if (e.id.lastIndexOf(first, 0) === 0 || e.title.lastIndexOf(first, 0) === 0) return 1;
    for (var i = 0; i < ts.length; i++) {
      if (e.title.indexOf(ts[i]) === -1) return 3;
    }
    return 2;
  }

  function search(state) {
    var ts = terms(state.q);
    var buckets = [[], [], [], []];
    outer:
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i];
      var k = e.kpi;
      if (state.team && k.team !== state.team) continue;
      if (state.unit && k.unit !== state.unit) continue;
      if (state.lifecycle && k.lifecycle !== state.lifecycle) continue;
      if (state.tag && e.tags.indexOf(state.tag) === -1) continue;
      for (var j = 0; j < ts.length; j++) {
        if (e.hay.indexOf(ts[j]) === -1) continue outer;
      }
      buckets[rank(e, ts)].push(e);
    }
    return buckets[0].concat(buckets[1], buckets[2], buckets[3]);
  }

  // ---- Rendering ------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  // Only relative links from the generated index are used as hrefs.
  function safeHref(url) {
    url = str(url);
    return url && !/^\s*[a-z][a-z0-9+.-]*:/i.test(url) && url.indexOf('//') !== 0 ? url : null;
  }

  function truncate(text, max) {
    var chars = Array.from(text.replace(/\s+/g, ' ').trim());
    if (chars.length <= max) return chars.join('');
    var cut = chars.slice(0, max).join('');
    var space = cut.lastIndexOf(' ');
    if (space > max * 0.6) cut = cut.slice(0, space);
    return cut.replace(/[\s.,;:!?-]+$/, '') + '…';
  }

  function renderResult(e) {
    var k = e.kpi;
    var li = el('li', 'result');

    var a = el('a');
    var href = safeHref(k.url);
    if (href) a.setAttribute('href', href);
    a.appendChild(el('span', 'result-title', e.rawTitle || e.rawId));
    a.appendChild(document.createTextNode(' '));
    a.appendChild(el('code', 'result-id', e.rawId));
    li.appendChild(a);

    var meta = el('p', 'result-meta');
    var parts = [];
    var team = str(k.team_name) || str(k.team);
    // Authored text sits in <bdi>, so a bidi control in one piece cannot reorder the others.
    if (team) parts.push(el('bdi', null, team));
    if (str(k.unit)) parts.push(document.createTextNode(k.unit));
    var lifecycle = str(k.lifecycle);
    if (lifecycle && lifecycle !== 'active') {
      parts.push(el('span', 'badge badge-' + lifecycle.replace(/[^a-z0-9_-]/gi, ''),
        str(k.status_note) || lifecycle));
    } else if (lifecycle) {
      parts.push(document.createTextNode(lifecycle));
    }
    if (e.tags.length) parts.push(el('bdi', null, e.tags.join(', ')));
    parts.forEach(function (part, i) {
      if (i) meta.appendChild(document.createTextNode(' · '));
      meta.appendChild(part);
    });
    li.appendChild(meta);

    var desc = str(k.description);
    if (desc) li.appendChild(el('p', 'result-desc', truncate(desc, DESC_CHARS)));
    return li;
  }

  function plural(n, one, many) { return fmt(n) + ' ' + (n === 1 ? one : many); }

  function summary(state, matches) {
    var total = entries.length;
    var q = state.q.trim();
    var filtered = FILTERS.some(function (name) { return state[name]; });
    if (total === 0) return 'This catalog has no KPIs yet.';
    if (matches === 0) {
      if (q && filtered) return 'No KPI matches “' + q + '” with the selected filters.';
      if (q) return 'No KPI matches “' + q + '”.';
      return 'No KPI matches the selected filters.';
    }
    if (!q && !filtered) {
      return matches > MAX_RESULTS
        ? 'Showing ' + fmt(MAX_RESULTS) + ' of ' + plural(total, 'KPI', 'KPIs')
        : plural(total, 'KPI', 'KPIs');
    }
    return matches > MAX_RESULTS
      ? 'Showing ' + fmt(MAX_RESULTS) + ' of ' + fmt(matches) + ' matching KPIs (' + fmt(total) + ' in all)'
      : plural(matches, 'matching KPI', 'matching KPIs');
  }

  var lastKey = null;

  function run() {
    var t0 = performance.now();
    var state = readState();
    lastKey = JSON.stringify(state);
    var found = search(state);
    var frag = document.createDocumentFragment();
    var shown = Math.min(found.length, MAX_RESULTS);
    for (var i = 0; i < shown; i++) frag.appendChild(renderResult(found[i]));
    list.textContent = '';
    list.appendChild(frag);
    var text = summary(state, found.length);
    if (count.textContent !== text) count.textContent = text;
    var ms = performance.now() - t0;
    document.body.dataset.searchMs = ms.toFixed(2);
    document.body.dataset.matches = String(found.length);
    document.body.dataset.query = state.q;
    writeUrl(state);
  }

  // ---- URL state ------------------------------------------------------------

  function readUrl() {
    var params;
    try { params = new URLSearchParams(window.location.search); } catch (err) { return; }
    if (params.has('q')) input.value = params.get('q');
    FILTERS.forEach(function (name) {
      var select = selects[name];
      if (!select || !params.has(name)) return;
      var value = params.get(name);
      // Ignore values that are not among the options (stale bookmarks).
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === value) { select.value = value; return; }
      }
    });
  }

  function writeUrl(state) {
    var params = new URLSearchParams();
    if (state.q) params.set('q', state.q);
    FILTERS.forEach(function (name) { if (state[name]) params.set(name, state[name]); });
    var qs = params.toString();
    var suffix = qs ? '?' + qs : '';
    if (suffix === window.location.search) return;
    try {
      window.history.replaceState(window.history.state, '',
        window.location.pathname + suffix + window.location.hash);
    } catch (err) {
      // Some browsers refuse history changes on file:// URLs; searching still works.
    }
  }

  // ---- Keyboard -------------------------------------------------------------

  function isEditable(node) {
    if (!node || node === document.body) return false;
    var tag = node.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || node.isContentEditable;
  }

  function resultLinks() {
    return Array.prototype.slice.call(list.querySelectorAll('li.result > a'));
  }

  document.addEventListener('keydown', function (ev) {
    if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    if (isEditable(ev.target)) return;
    ev.preventDefault();
    input.focus();
    input.select();
  });

  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowDown') {
      var first = list.querySelector('li.result > a');
      if (first) { ev.preventDefault(); first.focus(); }
    } else if (ev.key === 'Escape') {
      if (input.value) {
        ev.preventDefault();
        input.value = '';
        run();
      }
    }
  });

  list.addEventListener('keydown', function (ev) {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    var links = resultLinks();
    var i = links.indexOf(ev.target);
    if (i === -1) return;
    ev.preventDefault();
    if (ev.key === 'ArrowDown') {
      if (i + 1 < links.length) links[i + 1].focus();
    } else if (i > 0) {
      links[i - 1].focus();
    } else {
      input.focus();
    }
  });

  // ---- Wiring ---------------------------------------------------------------

  form.addEventListener('submit', function (ev) { ev.preventDefault(); });
  form.addEventListener('input', run);
  // Older engines fire only 'change' on <select>: run again only if needed.
  form.addEventListener('change', function () {
    if (JSON.stringify(readState()) !== lastKey) run();
  });

  readUrl();
  run();
})();
