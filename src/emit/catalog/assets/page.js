/* kpic catalog: enhancements for KPI pages (kpis/ID.html).
 *
 *  - SQL dialect tabs ([data-tabs]): WAI-ARIA tabs with roving tabindex and
 *    automatic activation. Without JS every panel stays visible.
 *  - Copy buttons (button.copy[data-copy=ID]): copy the text of #ID.
 *  - Code blocks and tables that overflow horizontally become focusable so
 *    keyboard users can scroll them.
 *
 * Safe to load on any catalog page: each part does nothing when its
 * elements are absent. No innerHTML, no inline handlers (CSP-friendly).
 */
(function () {
  'use strict';

  function toArray(list) { return Array.prototype.slice.call(list); }

  // ---- Scrollable regions ---------------------------------------------------

  var SCROLLERS = 'pre, .table-wrap, .lineage-scroll, .description table';

  // Give overflowing blocks a tab stop (and take it back when they no longer
  // overflow); only tab stops this script added are ever removed.
  function markScrollers(root) {
    toArray((root || document).querySelectorAll(SCROLLERS)).forEach(function (node) {
      var overflows = node.scrollWidth > node.clientWidth + 1;
      var ours = node.getAttribute('data-scroll-focus') === 'true';
      if (overflows && !node.hasAttribute('tabindex')) {
        node.setAttribute('tabindex', '0');
        node.setAttribute('data-scroll-focus', 'true');
      } else if (!overflows && ours && node.clientWidth > 0) {
        node.removeAttribute('tabindex');
        node.removeAttribute('data-scroll-focus');
      }
    });
  }

  // ---- Tabs -----------------------------------------------------------------

  function initTabs(container) {
    var tabs = toArray(container.querySelectorAll('[role="tablist"] [role="tab"]'));
    if (tabs.length === 0) return;

    function panelOf(tab) {
      var id = tab.getAttribute('aria-controls');
      return id ? document.getElementById(id) : null;
    }

    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute('aria-selected', on ? 'true' : 'false');
        t.setAttribute('tabindex', on ? '0' : '-1');
        var panel = panelOf(t);
        if (panel) panel.hidden = !on;
      });
      if (focus) tab.focus();
      var shown = panelOf(tab);
      if (shown) markScrollers(shown);
    }

    // Initial tab: one named by the URL fragment, else the server's choice.
    var hash = window.location.hash.slice(1);
    var initial = tabs.filter(function (t) {
      var panel = panelOf(t);
      return hash && (t.id === hash || (panel && panel.id === hash));
    })[0] || tabs.filter(function (t) {
      return t.getAttribute('aria-selected') === 'true';
    })[0] || tabs[0];
    select(initial, false);

    tabs.forEach(function (tab) {
      tab.addEventListener('click', function () { select(tab, false); });
    });

    container.querySelector('[role="tablist"]').addEventListener('keydown', function (ev) {
      var i = tabs.indexOf(ev.target);
      if (i === -1 || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      var next;
      switch (ev.key) {
        case 'ArrowRight': next = (i + 1) % tabs.length; break;
        case 'ArrowLeft': next = (i - 1 + tabs.length) % tabs.length; break;
        case 'Home': next = 0; break;
        case 'End': next = tabs.length - 1; break;
        default: return;
      }
      ev.preventDefault();
      select(tabs[next], true);
    });
  }

  // ---- Copy buttons ---------------------------------------------------------

  var status = null;

  // One polite live region so "Copied" is announced to screen readers too.
  function announce(text) {
    if (!status) {
      status = document.createElement('div');
      status.className = 'visually-hidden';
      status.setAttribute('role', 'status');
      document.body.appendChild(status);
    }
    status.textContent = '';
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // execCommand fallback for browsers without the async clipboard API
  // (or where it is refused, e.g. some file:// contexts).
  function legacyCopy(text, button) {
    var area = document.createElement('textarea');
    area.className = 'copy-buffer';
    area.value = text;
    area.setAttribute('readonly', '');
    area.setAttribute('aria-hidden', 'true');
    area.setAttribute('tabindex', '-1');
    document.body.appendChild(area);
    var ok = false;
    try {
      area.focus({ preventScroll: true });
      area.select();
      area.setSelectionRange(0, text.length);
      ok = document.execCommand('copy');
    } catch (err) {
      ok = false;
    }
    document.body.removeChild(area);
    if (button) button.focus({ preventScroll: true });
    return ok;
  }

  function copyText(text, button) {
    if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
      return navigator.clipboard.writeText(text).catch(function () {
        if (!legacyCopy(text, button)) throw new Error('copy refused');
      });
    }
    return new Promise(function (resolve, reject) {
      if (legacyCopy(text, button)) resolve(); else reject(new Error('copy refused'));
    });
  }

  function initCopy(button) {
    var label = button.textContent;
    var timer = null;

    function flash(text, copied) {
      window.clearTimeout(timer);
      button.textContent = text;
      if (copied) button.setAttribute('data-copied', 'true');
      else button.removeAttribute('data-copied');
      announce(text);
      timer = window.setTimeout(function () {
        button.textContent = label;
        button.removeAttribute('data-copied');
      }, 2000);
    }

    button.addEventListener('click', function () {
      var source = document.getElementById(button.getAttribute('data-copy') || '');
      if (!source) { flash('Copy failed', false); return; }
      copyText(source.textContent, button).then(
        function () { flash('Copied', true); },
        function () { flash('Copy failed', false); }
      );
    });
  }

  // ---- Start ----------------------------------------------------------------

  toArray(document.querySelectorAll('[data-tabs]')).forEach(initTabs);
  toArray(document.querySelectorAll('button.copy[data-copy]')).forEach(initCopy);
  markScrollers(document);

  var pending = false;
  window.addEventListener('resize', function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      markScrollers(document);
    });
  });
})();
