/* rolebook incident mode: live checklists on the role pages, an incident bar, the incident log and the
   assignment board (issue 17).

   A static file shipped with rolebook, never a template. It reads the page and the site's data
   (assets/rolebook-incident.json) and places every value as text (textContent, value, setAttribute),
   never as HTML: the playbook and what people type are untrusted. Incidents are kept in this browser
   (localStorage) under a key holding the site's root address, so playbooks sharing an origin keep
   theirs apart. Plain ES2017, no library, no request to another host.

   A built site's bootstrap (offline.js) adds this script after the page's load event, and the Markdown
   export lists it deferred: it starts at once on a page already loaded, and through Material's
   document$ (which replays the page it holds) on each page instant navigation opens. */
(function () {
  'use strict';
  var me = document.currentScript || document.querySelector('script[src$="assets/rolebook.js"]');
  if (!me || !window.URL) return;
  document.documentElement.classList.add('rb-js');
  const ROOT = new URL('..', me.src).href;
  const KEY = 'rolebook:incidents:' + ROOT;
  const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  const isId = (v) => typeof v === 'string' && v.length <= 64 && ID.test(v);
  // Objects indexed by a role id, an item's key or a field have no prototype: a role may be called
  // "constructor", and stored data may hold any key.
  const map = (from) => Object.assign(Object.create(null), from);
  const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const FIELDS = ['holder', 'since', 'handed_to', 'at'];
  const FIELD_NAMES = map({ holder: 'Holder', since: 'Since', handed_to: 'Handed over to', at: 'At' });
  const TIMED = map({ holder: 'since', handed_to: 'at' }); // a name written fills its time when empty
  const KINDS = ['started', 'ended', 'resumed', 'severity', 'ticked', 'unticked', 'assigned'];
  const MAX_INCIDENTS = 100;
  const MAX_EVENTS = 5000;

  // --- small helpers -------------------------------------------------------------------------------
  const pad = (n) => String(n).padStart(2, '0');
  function stamp() {
    const d = new Date();
    const off = -d.getTimezoneOffset();
    const abs = Math.abs(off);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) +
      ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + (off < 0 ? '-' : '+') + pad(Math.floor(abs / 60)) +
      ':' + pad(abs % 60);
  }
  // A value as text: a string or a number as it is, anything else (null, an object from tampered storage,
  // whose String() may throw) as ''.
  const str = (v) => (typeof v === 'string' ? v : typeof v === 'number' && isFinite(v) ? String(v) : '');
  const cap = (v, n) => str(v).slice(0, n);
  // A time as the script writes it: ISO 8601 to the second, with the offset from UTC; a real date.
  const STAMP = /^(\d{4})-(\d\d)-(\d\d)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
  function isStamp(t) {
    const m = typeof t === 'string' && STAMP.exec(t);
    if (!m) return false;
    const d = new Date(Date.UTC(+m[1], m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === m[2] - 1 && d.getUTCDate() === +m[3];
  }
  const text = (v) => str(v).replace(/\s+/g, ' ').trim();
  const clock = (t) => str(t).slice(11, 16);
  const day = (t) => str(t).slice(0, 10);
  const when = (t) => day(t) + ' ' + clock(t);
  const defaultName = () => 'Incident ' + when(stamp());

  function el(tag, props) {
    const node = document.createElement(tag);
    Object.keys(props || {}).forEach((k) => {
      const v = props[k];
      if (v == null || v === false) return;
      if (k === 'text') node.textContent = v;
      else if (k === 'value') node.value = v;
      else if (typeof v === 'function') node.addEventListener(k, v);
      else node.setAttribute(k, v === true ? '' : v);
    });
    for (let i = 2; i < arguments.length; i++) {
      const kid = arguments[i];
      if (kid != null && kid !== false) node.append(kid);
    }
    return node;
  }
  // Incident mode's styles (assets/rolebook-incident.css). The board and the log link them themselves; a role
  // page holds only the site's small stylesheet, so the bar waits, hidden, until they are in (three seconds
  // at most: on a stalled network it shows unstyled rather than not at all). Added once, at the end of the
  // body: instant navigation replaces the head's children with the next page's, and the content, but leaves
  // the rest of the body, so the sheet stays for every page opened after. The brand's stylesheets are linked
  // again after it, so that their rules still come last and win, as everywhere else.
  let sheetReady = false;
  let sheetIn = null;
  function sheet() {
    if (!sheetIn) {
      sheetIn = new Promise((done) => {
        const loaded = () => {
          sheetReady = true;
          done();
        };
        const brand = document.head.querySelectorAll('link[rel="stylesheet"][href*="assets/brand/"]');
        document.body.append(el('link', { rel: 'stylesheet', href: ROOT + 'assets/rolebook-incident.css', load: loaded, error: loaded }),
          ...Array.from(brand, (link) => el('link', { rel: 'stylesheet', href: link.href })));
        setTimeout(loaded, 3000);
      });
    }
    return sheetIn;
  }
  const button = (label, act, cls) =>
    el('button', { type: 'button', class: 'rb-btn' + (cls ? ' ' + cls : ''), text: label, click: act });

  // A button that asks once more before it acts (no dialog: it works the same on a phone).
  function twoStep(label, ask, act, cls) {
    let armed = null;
    const b = button(label, () => {
      if (armed) {
        clearTimeout(armed);
        armed = null;
        b.textContent = label;
        b.classList.remove('rb-btn--armed');
        act();
        return;
      }
      b.textContent = ask;
      b.classList.add('rb-btn--armed');
      armed = setTimeout(() => {
        armed = null;
        b.textContent = label;
        b.classList.remove('rb-btn--armed');
      }, 5000);
    }, cls);
    return b;
  }

  function ownText(node) {
    const copy = node.cloneNode(true);
    copy.querySelectorAll('.headerlink').forEach((a) => a.remove());
    return text(copy.textContent);
  }

  // --- what is kept: { v: 1, current, initials, incidents: [{ id, name, sev, started, ended, events, board }] }
  let memory = null;
  let kept = true;
  function load() {
    let raw = null;
    let state = null;
    try {
      raw = localStorage.getItem(KEY);
    } catch (e) {
      kept = false;
    }
    if (!kept) state = memory;
    else if (raw) {
      try {
        state = JSON.parse(raw);
      } catch (e) {
        state = null;
      }
    }
    return clean(state);
  }
  // What was kept, in the shape the script writes, whatever the storage held (another version, a hand
  // edit): what cannot be read is dropped, text is text, and sizes are bounded.
  function clean(raw) {
    const ok = raw && typeof raw === 'object' && raw.v === 1;
    const seen = map();
    const incidents = (ok && Array.isArray(raw.incidents) ? raw.incidents.slice(-MAX_INCIDENTS) : [])
      .map((i) => cleanIncident(i, seen)).filter(Boolean);
    const cur = ok && typeof raw.current === 'string' && own(seen, raw.current) ? raw.current : null;
    return { v: 1, current: cur, initials: ok ? text(raw.initials).slice(0, 8) : '', incidents: incidents };
  }
  function cleanIncident(i, seen) {
    if (!i || typeof i !== 'object' || !/^[\w-]{1,64}$/.test(str(i.id)) || own(seen, i.id)) return null;
    const events = (Array.isArray(i.events) ? i.events.slice(-MAX_EVENTS) : []).map(cleanEvent).filter(Boolean);
    const started = isStamp(i.started) ? i.started : events.length ? events[0].at : null;
    if (!started) return null;
    seen[i.id] = true;
    const sev = i.sev && typeof i.sev === 'object' && str(i.sev.id) ? i.sev : null;
    return {
      id: i.id, name: text(i.name).slice(0, 200) || 'Incident ' + when(started),
      sev: sev ? { id: cap(sev.id, 64), name: text(sev.name).slice(0, 200) || cap(sev.id, 64) } : null,
      started: started, ended: isStamp(i.ended) ? i.ended : null, events: events, board: cleanBoard(i.board),
    };
  }
  function cleanEvent(e) {
    if (!e || typeof e !== 'object' || KINDS.indexOf(e.kind) < 0 || !isStamp(e.at)) return null;
    const out = { at: e.at, kind: e.kind, initials: text(e.initials).slice(0, 8), text: cap(e.text, 2000) };
    if (e.kind === 'ticked' || e.kind === 'unticked') {
      if (!isId(e.role) || !isId(e.item)) return null;
      Object.assign(out, { key: e.role + '/' + e.item, role: e.role, roleName: cap(e.roleName, 200), item: e.item, box: cap(e.box, 64) || null });
    } else if (e.kind === 'assigned') {
      if (!isId(e.role) || FIELDS.indexOf(e.field) < 0) return null;
      Object.assign(out, { role: e.role, roleName: cap(e.roleName, 200), field: e.field, value: cap(e.value, 200) });
    } else if (e.kind === 'severity') out.value = e.value == null ? null : cap(e.value, 64);
    return out;
  }
  function cleanBoard(b) {
    const out = map();
    if (!b || typeof b !== 'object') return out;
    Object.keys(b).slice(0, 1000).forEach((role) => {
      const x = b[role];
      if (!isId(role) || !x || typeof x !== 'object') return;
      out[role] = { name: text(x.name).slice(0, 200) };
      FIELDS.forEach((f) => {
        out[role][f] = cap(x[f], 200);
      });
    });
    return out;
  }
  function save(state) {
    memory = state;
    try {
      localStorage.setItem(KEY, JSON.stringify(state));
    } catch (e) {
      kept = false;
    }
  }
  const current = (s) => s.incidents.find((i) => i.id === s.current && !i.ended) || null;
  function change(fn) {
    const s = load();
    fn(s);
    save(s);
    render();
  }
  const note = (s, inc, kind, extra) =>
    inc.events.push(Object.assign({ at: stamp(), kind: kind, initials: s.initials }, extra));

  function begin(s, name, sev, how) {
    const at = stamp();
    const inc = {
      id: 'i' + Date.now().toString(36) + Math.random().toString(36).slice(2, 7),
      name: text(name).slice(0, 200) || defaultName(),
      sev: sev || null, started: at, ended: null, events: [], board: map(),
    };
    s.incidents.push(inc);
    s.current = inc.id;
    note(s, inc, 'started', { text: how });
    if (sev) note(s, inc, 'severity', { value: sev.id, text: 'Severity: ' + sev.name });
    return inc;
  }

  // --- the site's data: title, version, severity levels, where the log and the board are -------------
  let site = { title: null, version: null, severities: [], log: null, board: null };
  let asked = false;
  function onSite(url) {
    if (typeof url !== 'string') return null;
    const full = new URL(url, ROOT).href;
    return full.indexOf(ROOT) === 0 ? full : null;
  }
  function fetchSite() {
    if (asked || !window.fetch) return;
    asked = true;
    fetch(ROOT + 'assets/rolebook-incident.json', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((d) => {
        if (!d || typeof d !== 'object') return;
        const pages = d.pages && typeof d.pages === 'object' ? d.pages : {};
        site = {
          title: typeof d.title === 'string' ? d.title : null,
          version: typeof d.version === 'string' ? d.version : null,
          severities: (Array.isArray(d.severities) ? d.severities : [])
            .filter((x) => x && typeof x.id === 'string' && typeof x.name === 'string')
            .map((x) => ({ id: x.id, name: x.name })),
          log: onSite(pages.log), board: onSite(pages.board),
        };
        render();
      })
      .catch(() => {});
  }
  const findSev = (id, inc) =>
    site.severities.find((x) => x.id === id) || (inc && inc.sev && inc.sev.id === id ? inc.sev : null);
  function fillSeverities(select, chosen, inc) {
    const list = site.severities.slice();
    if (inc && inc.sev && !list.some((x) => x.id === inc.sev.id)) list.push({ id: str(inc.sev.id), name: str(inc.sev.name) });
    select.textContent = '';
    select.append(el('option', { value: '', text: 'Severity not set' }));
    list.forEach((x) => select.append(el('option', { value: x.id, text: x.name })));
    select.value = chosen || '';
  }

  // --- the page's parts ----------------------------------------------------------------------------
  let page = null;

  function setupChecks() {
    const items = [];
    document.querySelectorAll('ul.rb-checklist:not(.rb-checklist--static) li.rb-check').forEach((li) => {
      const box = li.querySelector('input.rb-check-box');
      const list = li.closest('ul.rb-checklist');
      const role = li.getAttribute('data-rb-role') || list.getAttribute('data-rb-role') || '';
      const item = li.getAttribute('data-rb-item') || '';
      if (!box || !isId(role) || !isId(item)) return;
      let done = li.querySelector('.rb-check-done');
      if (!done) li.append((done = el('span', { class: 'rb-check-done' })));
      done.setAttribute('aria-live', 'polite');
      const x = { li: li, box: box, done: done, key: role + '/' + item, role: role, item: item, list: list, shown: null };
      box.disabled = false;
      box.addEventListener('change', () => tick(x, box.checked));
      items.push(x);
    });
    return items;
  }

  function roleName(role, near) {
    const holder = near.closest('[data-rb-role-name]') ||
      document.querySelector('[data-rb-role-name][data-rb-role="' + role + '"]');
    if (holder) return text(holder.getAttribute('data-rb-role-name'));
    const h1 = document.querySelector('article h1, .md-content h1, h1');
    return h1 ? ownText(h1) : role;
  }

  function tick(x, on) {
    const label = x.li.querySelector('.rb-check-text');
    change((s) => {
      let inc = current(s);
      if (!inc) {
        if (!on) return;
        inc = begin(s, '', null, 'Incident started by a tick on a role page');
      }
      note(s, inc, on ? 'ticked' : 'unticked', {
        key: x.key, role: x.role, roleName: roleName(x.role, x.li), item: x.item,
        box: x.list.getAttribute('data-rb-box') || null,
        text: text(label ? label.textContent : x.li.textContent),
      });
    });
  }

  function checkState(inc) {
    const state = Object.create(null);
    (inc ? inc.events : []).forEach((e) => {
      if (e.kind === 'ticked') state[e.key] = e;
      else if (e.kind === 'unticked') delete state[e.key];
    });
    return state;
  }

  function renderChecks(inc) {
    const state = checkState(inc);
    page.items.forEach((x) => {
      const e = state[x.key];
      const who = e ? text(e.initials) : '';
      const shown = e ? str(e.at) + ' ' + who : '';
      x.box.checked = !!e;
      x.li.classList.toggle('rb-check--done', !!e);
      if (x.shown === shown) return; // unchanged: nothing new for a screen reader to announce
      x.shown = shown;
      x.done.textContent = '';
      if (e) {
        x.done.append(el('time', { datetime: str(e.at), text: clock(e.at) }), who ? ' · ' + who : '');
        x.done.setAttribute('title', 'Ticked ' + str(e.at) + (who ? ' by ' + who : ''));
      } else x.done.removeAttribute('title');
    });
  }

  // --- the incident bar ----------------------------------------------------------------------------
  function buildBar(where) {
    const ui = { said: null };
    ui.status = el('p', { class: 'rb-bar-status', 'aria-live': 'polite' });
    ui.initials = el('input', {
      type: 'text', class: 'rb-input rb-bar-initials', maxlength: '8', size: '4', autocomplete: 'off',
      spellcheck: 'false', autocapitalize: 'characters', placeholder: 'AB',
      input: () => {
        const s = load();
        s.initials = text(ui.initials.value).slice(0, 8);
        save(s);
      },
    });
    ui.sev = el('select', {
      class: 'rb-input rb-bar-sev', 'aria-label': 'Severity of this incident',
      change: () => change((s) => {
        const inc = current(s);
        if (!inc) return;
        const sev = findSev(ui.sev.value, inc);
        inc.sev = sev ? { id: sev.id, name: sev.name } : null;
        note(s, inc, 'severity', { value: sev ? sev.id : null, text: sev ? 'Severity: ' + sev.name : 'Severity not set' });
      }),
    });
    ui.sevLabel = el('label', { class: 'rb-bar-field' }, 'Severity ', ui.sev);
    ui.start = button('Start an incident', () => {
      ui.name.value = defaultName();
      fillSeverities(ui.newSev, '', null);
      ui.form.hidden = false;
      ui.start.hidden = true;
      ui.name.focus();
      ui.name.select();
    }, 'rb-btn--main');
    ui.end = twoStep('End incident', 'Really end it?', () => change((s) => {
      const inc = current(s);
      if (!inc) return;
      note(s, inc, 'ended', { text: 'Incident ended' });
      inc.ended = inc.events[inc.events.length - 1].at;
      s.current = null;
    }), 'rb-bar-end');
    ui.pastButton = button('Past incidents', () => {
      ui.past.hidden = !ui.past.hidden;
      ui.pastButton.setAttribute('aria-expanded', String(!ui.past.hidden));
    });
    ui.pastButton.setAttribute('aria-expanded', 'false');
    ui.links = el('span', { class: 'rb-bar-links' });
    ui.name = el('input', { type: 'text', class: 'rb-input', maxlength: '200', autocomplete: 'off', required: true });
    ui.newSev = el('select', { class: 'rb-input rb-new-sev' });
    const close = () => {
      ui.form.hidden = true;
      render();
    };
    ui.form = el('form', {
      class: 'rb-bar-form', hidden: true, 'aria-label': 'Start an incident',
      submit: (ev) => {
        ev.preventDefault();
        const sev = findSev(ui.newSev.value, null);
        ui.form.hidden = true;
        change((s) => {
          if (!current(s)) begin(s, ui.name.value, sev ? { id: sev.id, name: sev.name } : null, 'Incident started');
        });
      },
    },
    el('label', { class: 'rb-bar-field rb-bar-field--wide' }, 'Name ', ui.name),
    el('label', { class: 'rb-bar-field' }, 'Severity ', ui.newSev),
    el('button', { type: 'submit', class: 'rb-btn rb-btn--main', text: 'Start' }),
    button('Cancel', close));
    ui.past = el('div', { class: 'rb-bar-past', hidden: true });
    ui.keptNote = el('p', {
      class: 'rb-bar-warn', hidden: true,
      text: 'This browser does not let the site keep anything: what you record here is lost when the page closes.',
    });
    ui.bar = el('section', { class: 'rb-bar', 'aria-label': 'Incident' },
      el('div', { class: 'rb-bar-main' }, ui.status,
        el('div', { class: 'rb-bar-actions' },
          el('label', { class: 'rb-bar-field' }, 'Initials ', ui.initials), ui.sevLabel, ui.start, ui.end,
          ui.pastButton, ui.links)),
      ui.form, ui.past, ui.keptNote);
    ui.bar.hidden = !sheetReady;
    sheet().then(() => {
      ui.bar.hidden = false;
    });
    if (where.slot) where.slot.append(ui.bar);
    else where.before.parentNode.insertBefore(ui.bar, where.before);
    return ui;
  }

  function span(i) {
    const end = i.ended ? (day(i.ended) === day(i.started) ? clock(i.ended) : when(i.ended)) : 'open';
    return when(i.started) + ' to ' + end;
  }

  function pageLink(url, label) {
    if (!url || new URL(url).pathname === location.pathname) return null;
    return el('a', { class: 'rb-bar-link', href: url, text: label });
  }

  function renderBar(s, inc) {
    const ui = page.bar;
    ui.bar.classList.toggle('rb-bar--live', !!inc);
    const since = inc ? (day(inc.started) === day(stamp()) ? clock(inc.started) : when(inc.started)) : '';
    const said = inc ? inc.id + ' ' + str(inc.name) + ' ' + since : '';
    if (ui.said !== said) { // rewritten only when it changes: the status is read out when it does
      ui.said = said;
      ui.status.textContent = '';
      if (inc) ui.status.append('Incident running: ', el('strong', { text: str(inc.name) }), ' · since ' + since);
      else {
        ui.status.append(el('strong', { text: 'No incident running.' }),
          page.board ? ' Filling in the board starts one.' : page.items.length ? ' Ticking an item starts one.' : '');
      }
    }
    if (document.activeElement !== ui.initials) ui.initials.value = s.initials;
    ui.sevLabel.hidden = !inc;
    if (inc && document.activeElement !== ui.sev) fillSeverities(ui.sev, inc.sev ? str(inc.sev.id) : '', inc);
    ui.start.hidden = !!inc || !ui.form.hidden;
    if (inc) ui.form.hidden = true;
    else if (!ui.form.hidden && document.activeElement !== ui.newSev) fillSeverities(ui.newSev, ui.newSev.value, null);
    ui.end.hidden = !inc;
    ui.links.textContent = '';
    ui.links.append(pageLink(site.log, 'Incident log') || '', pageLink(site.board, 'Assignment board') || '');
    const others = s.incidents.filter((i) => !inc || i.id !== inc.id).reverse();
    ui.pastButton.hidden = !others.length;
    ui.pastButton.textContent = 'Past incidents (' + others.length + ')';
    if (!others.length) ui.past.hidden = true;
    ui.past.textContent = '';
    const list = el('ul', { class: 'rb-past-list' });
    others.forEach((i) => {
      const ticks = checkState(i);
      const sev = i.sev ? ' · ' + str(i.sev.name) : '';
      const log = site.log ? site.log + '?incident=' + encodeURIComponent(i.id) : null;
      list.append(el('li', { class: 'rb-past' },
        el('span', { class: 'rb-past-name', text: str(i.name) }),
        el('span', { class: 'rb-past-when', text: span(i) + sev + ' · ' + Object.keys(ticks).length + ' ticked' }),
        el('span', { class: 'rb-past-actions' },
          inc ? null : button('Resume', () => change((st) => {
            const again = st.incidents.find((x) => x.id === i.id);
            if (current(st) || !again) return;
            again.ended = null;
            st.current = again.id;
            note(st, again, 'resumed', { text: 'Incident resumed' });
          })),
          log ? el('a', { class: 'rb-btn rb-btn--link', href: log, text: 'Log' }) : null,
          twoStep('Forget', 'Really forget it?', () => change((st) => {
            st.incidents = st.incidents.filter((x) => x.id !== i.id);
          })))));
    });
    ui.past.append(list);
    if (inc && others.length) ui.past.append(el('p', { class: 'rb-bar-hint', text: 'End the running incident to resume another.' }));
    ui.keptNote.hidden = kept;
  }

  // --- the assignment board --------------------------------------------------------------------------
  function setupBoard(table) {
    const rows = [];
    table.querySelectorAll('tr[data-rb-role]').forEach((row) => {
      const role = row.getAttribute('data-rb-role');
      if (!isId(role)) return;
      const r = {
        row: row, role: role, name: text(row.getAttribute('data-rb-role-name')) || role, inputs: map(),
        sevs: str(row.getAttribute('data-rb-severities')).split(/\s+/).filter(Boolean),
      };
      row.querySelectorAll('input[data-rb-field]').forEach((input) => {
        const field = input.getAttribute('data-rb-field');
        if (FIELDS.indexOf(field) < 0) return;
        r.inputs[field] = input;
        input.disabled = false;
        input.addEventListener('input', () => assign(r, field, input.value, false));
        input.addEventListener('change', () => assign(r, field, input.value, true));
      });
      rows.push(r);
    });
    return rows;
  }

  function assign(r, field, value, settled) {
    const s = load();
    let inc = current(s);
    let fresh = false;
    if (!inc) {
      if (!text(value)) return;
      inc = begin(s, '', null, 'Incident started from the assignment board');
      fresh = true;
    }
    const entry = own(inc.board, r.role) ? inc.board[r.role]
      : (inc.board[r.role] = { name: r.name, holder: '', since: '', handed_to: '', at: '' });
    entry.name = r.name;
    entry[field] = settled ? text(value) : str(value).slice(0, 200);
    if (settled) {
      const said = inc.events.filter((e) => e.kind === 'assigned' && e.role === r.role && e.field === field);
      const last = said.length ? str(said[said.length - 1].value) : '';
      if (entry[field] !== last) {
        note(s, inc, 'assigned', {
          role: r.role, roleName: r.name, field: field, value: entry[field],
          text: FIELD_NAMES[field] + ': ' + (entry[field] || '(cleared)'),
        });
      }
      const timed = TIMED[field];
      if (timed && entry[field] && !entry[timed] && r.inputs[timed]) {
        // the time is filled in once focus has moved on: selected if the time's field took it, so typing replaces it
        const input = (page.holdBack = r.inputs[timed]);
        entry[timed] = clock(stamp());
        setTimeout(() => {
          page.holdBack = null;
          if (input.value) return;
          input.value = entry[timed];
          if (document.activeElement === input) input.select();
        }, 0);
      }
    }
    save(s);
    if (settled || fresh) render();
  }

  function renderBoard(inc) {
    const sev = inc && inc.sev ? str(inc.sev.id) : '';
    page.board.forEach((r) => {
      const entry = inc && own(inc.board, r.role) ? inc.board[r.role] : map();
      Object.keys(r.inputs).forEach((f) => {
        const input = r.inputs[f];
        if (input !== document.activeElement && input !== page.holdBack) input.value = str(entry[f]);
      });
      r.row.classList.toggle('rb-engaged', !!sev && r.sevs.indexOf(sev) >= 0);
      r.row.classList.toggle('rb-idle', !!sev && r.sevs.indexOf(sev) < 0);
    });
    if (page.boardNote) {
      page.boardNote.textContent = sev
        ? 'Highlighted: the roles engaged at ' + str(inc.sev.name) + '; the others are dimmed.'
        : inc ? 'Set the incident\'s severity to highlight the roles it engages.' : '';
    }
  }

  function renderFills(inc) {
    document.querySelectorAll('[data-rb-fill]').forEach((node) => {
      const what = node.getAttribute('data-rb-fill');
      node.textContent = !inc ? '' : what === 'name' ? str(inc.name)
        : what === 'severity' ? (inc.sev ? str(inc.sev.name) : '') : what === 'date' ? day(inc.started) : '';
    });
  }

  // --- the log and its exports -------------------------------------------------------------------------
  function ordered(inc) {
    return inc.events.map((e, n) => [e, n])
      .sort((a, b) => (Date.parse(a[0].at) || 0) - (Date.parse(b[0].at) || 0) || a[1] - b[1])
      .map((p) => p[0]);
  }
  function assignments(inc) {
    return Object.keys(inc.board).filter(isId).map((role) => {
      const b = inc.board[role];
      return { role: role, role_name: text(b.name) || role, holder: text(b.holder), since: text(b.since), handed_to: text(b.handed_to), at: text(b.at) };
    }).filter((a) => a.holder || a.since || a.handed_to || a.at);
  }
  function entry(e) {
    const out = { time: str(e.at), action: str(e.kind), text: text(e.text), initials: text(e.initials) };
    if (e.role) {
      out.role = str(e.role);
      out.role_name = text(e.roleName);
    }
    if (e.item) {
      out.item = str(e.item);
      out.key = str(e.key);
    }
    if (e.box) out.box = str(e.box);
    if (e.field) out.field = str(e.field);
    if (e.value != null) out.value = str(e.value);
    return out;
  }
  function asJson(inc) {
    return {
      format: 'rolebook-incident-log', version: 1, exported: stamp(),
      playbook: { url: ROOT, title: site.title, version: site.version },
      incident: {
        id: str(inc.id), name: str(inc.name),
        severity: inc.sev ? { id: str(inc.sev.id), name: str(inc.sev.name) } : null,
        started: str(inc.started), ended: inc.ended ? str(inc.ended) : null,
      },
      assignments: assignments(inc),
      activity: ordered(inc).map(entry),
    };
  }
  // Markdown: every character that could be syntax is escaped, so what people typed stays text; so are
  // the marks GitHub's Markdown would make a link of: a scheme's colon (https:, mailto:, xmpp:) and www.
  // An escape does not keep an address (a@b.example) from cmark-gfm's autolinks, nor a mention (@team) or
  // a reference (owner/repo#1) from GitHub, which finds them in the rendered text: an invisible word
  // joiner after the @ and the # does, and the text reads the same.
  const md = (v) => text(v).replace(/[\\`*_{}[\]()#+!|<>~&]/g, '\\$&').replace(/([a-z]):(?=\S)/gi, '$1\\:')
    .replace(/(www)\./gi, '$1\\.').replace(/(@|\\#)(?=\S)/g, '$1\u2060');
  const cell = (v) => md(v) || ' ';
  function timeIn(inc, t) {
    return day(t) === day(inc.started) ? clock(t) : when(t);
  }
  function asMarkdown(inc) {
    const log = asJson(inc);
    const zone = inc.started.slice(19); // Z or an offset: the time is checked as it is read
    const lines = ['# Incident log: ' + md(inc.name), ''];
    if (site.title) lines.push('- Playbook: ' + md(site.title) + (site.version ? ', version ' + md(site.version) : ''));
    lines.push('- Severity: ' + (inc.sev ? md(inc.sev.name) : 'not set'),
      '- Started: ' + when(inc.started) + ' (UTC' + md(zone === 'Z' ? '' : zone) + ')',
      '- Ended: ' + (inc.ended ? when(inc.ended) : 'still running'),
      '- Exported: ' + when(log.exported), '');
    if (log.assignments.length) {
      lines.push('## Assignments', '', '| Role | Holder | Since | Handed over to | At |', '| --- | --- | --- | --- | --- |');
      log.assignments.forEach((a) => lines.push('| ' + [a.role_name, a.holder, a.since, a.handed_to, a.at].map(cell).join(' | ') + ' |'));
      lines.push('');
    }
    lines.push('## Activity', '', '| Time | Role | Activity | Initials | Action |', '| --- | --- | --- | --- | --- |');
    log.activity.forEach((e) => lines.push('| ' + [timeIn(inc, e.time), e.role_name, e.text, e.initials, e.action].map(cell).join(' | ') + ' |'));
    return lines.join('\n') + '\n';
  }
  function fileName(inc, ext) {
    const slug = text(inc.name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48);
    return 'incident-log-' + (slug || day(inc.started)) + '.' + ext;
  }
  function download(name, type, body) {
    const url = URL.createObjectURL(new Blob([body], { type: type }));
    const a = el('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  }
  function copy(body) {
    const fallback = () => {
      const area = el('textarea', { readonly: true, class: 'rb-offscreen' });
      area.value = body;
      document.body.append(area);
      area.select();
      let done = false;
      try {
        done = document.execCommand('copy');
      } catch (e) {
        done = false;
      }
      area.remove();
      return done;
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(body).then(() => true, fallback);
    }
    return Promise.resolve(fallback());
  }

  function table(cls, head, rows) {
    return el('div', { class: 'rb-table-wrap' }, el('table', { class: cls },
      el('thead', null, el('tr', null, ...head.map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', null, ...rows.map((r) => el('tr', { class: r.cls || null }, ...r.cells.map((c) =>
        el('td', { 'data-label': c[0] }, c[1])))))));
  }

  function renderLog(s) {
    const box = page.log;
    box.textContent = '';
    const wanted = page.viewing || new URLSearchParams(location.search).get('incident');
    const inc = s.incidents.find((i) => i.id === wanted) || current(s) || s.incidents[s.incidents.length - 1];
    if (!inc) {
      box.append(el('p', { class: 'rb-log-empty', text: 'No incident is recorded in this browser yet. Start one above, or tick an item on a role page: the first tick starts one.' }));
      return;
    }
    if (s.incidents.length > 1) {
      const pick = el('select', { class: 'rb-input', change: () => {
        page.viewing = pick.value;
        history.replaceState(null, '', '?incident=' + encodeURIComponent(pick.value));
        render();
      } });
      s.incidents.slice().reverse().forEach((i) => pick.append(el('option', { value: i.id, text: str(i.name) + ' (' + when(i.started) + ')' })));
      pick.value = inc.id;
      box.append(el('p', { class: 'rb-log-pick' }, el('label', null, 'Showing ', pick)));
    }
    const facts = el('dl', { class: 'rb-log-facts' });
    [['Incident', str(inc.name)], ['Severity', inc.sev ? str(inc.sev.name) : 'not set'],
      ['Started', when(inc.started)], ['Ended', inc.ended ? when(inc.ended) : 'still running']]
      .forEach((f) => facts.append(el('div', null, el('dt', { text: f[0] }), el('dd', { text: f[1] }))));
    const said = el('span', { class: 'rb-log-said', 'aria-live': 'polite' });
    const markdown = asMarkdown(inc);
    box.append(facts, el('div', { class: 'rb-log-actions' },
      button('Copy as Markdown', () => copy(asMarkdown(inc)).then((ok) => {
        said.textContent = ok ? 'Copied the log as Markdown.' : 'Could not copy: select the Markdown below and copy it.';
      }), 'rb-btn--main'),
      button('Download Markdown', () => download(fileName(inc, 'md'), 'text/markdown;charset=utf-8', asMarkdown(inc))),
      button('Download JSON', () => download(fileName(inc, 'json'), 'application/json', JSON.stringify(asJson(inc), null, 2) + '\n')),
      button('Print', () => window.print()), said));
    const log = asJson(inc);
    if (log.assignments.length) {
      box.append(el('h2', { text: 'Assignments' }), table('rb-log-table rb-log-assignments', ['Role', 'Holder', 'Since', 'Handed over to', 'At'],
        log.assignments.map((a) => ({ cells: [['Role', a.role_name], ['Holder', a.holder], ['Since', a.since], ['Handed over to', a.handed_to], ['At', a.at]] }))));
    }
    box.append(el('h2', { text: 'Activity' }), table('rb-log-table rb-log-activity', ['Time', 'Role', 'Activity', 'Initials', 'Action'],
      log.activity.map((e) => ({
        cls: 'rb-log-' + e.action,
        cells: [['Time', el('time', { datetime: e.time, text: timeIn(inc, e.time) })], ['Role', e.role_name || ''],
          ['Activity', e.text], ['Initials', e.initials], ['Action', e.action]],
      }))));
    const area = el('textarea', { class: 'rb-log-markdown', readonly: true, rows: '10', 'aria-label': 'The log as Markdown' });
    area.value = markdown;
    box.append(el('details', { class: 'rb-log-source' }, el('summary', { text: 'The log as Markdown' }), area));
  }

  // --- putting it together ---------------------------------------------------------------------------
  function render() {
    if (!page) return;
    const s = load();
    const inc = current(s);
    if (page.bar) renderBar(s, inc);
    if (page.items.length) renderChecks(inc);
    if (page.board) renderBoard(inc);
    if (page.log) renderLog(s);
    renderFills(inc);
  }

  // A Copy button above each script and message template (pre.rb-copy): its text as written.
  function copyButtons() {
    document.querySelectorAll('pre.rb-copy').forEach((pre) => {
      const before = pre.previousElementSibling;
      if (before && before.classList.contains('rb-copy-bar')) return;
      const said = el('span', { class: 'rb-copy-said', 'aria-live': 'polite' });
      const name = pre.getAttribute('data-rb-copy') || 'text';
      const b = el('button', { type: 'button', class: 'rb-copy-button', text: 'Copy ' + name });
      b.addEventListener('click', () => copy(pre.textContent).then((ok) => {
        said.textContent = ok ? 'Copied.' : 'Could not copy: select the text and copy it.';
      }));
      pre.parentNode.insertBefore(el('div', { class: 'rb-copy-bar' }, b, said), pre);
    });
  }

  function init() {
    copyButtons();
    const items = setupChecks();
    const boardTable = document.querySelector('table[data-rb-board]');
    const logBox = document.querySelector('[data-rb-log]');
    const slot = document.querySelector('[data-rb-bar]');
    page = null;
    if (!items.length && !boardTable && !logBox) return;
    page = {
      items: items, board: boardTable ? setupBoard(boardTable) : null, log: logBox, viewing: null, bar: null, holdBack: null,
    };
    if (boardTable) {
      page.boardNote = el('p', { class: 'rb-board-note', 'aria-live': 'polite' });
      boardTable.parentNode.insertBefore(page.boardNote, boardTable);
    }
    // on a role page the bar opens its "During an incident" part, else the heading above its first checklist
    let before = document.querySelector('.rb-during');
    if (!before && items.length) {
      before = items[0].list;
      for (let n = before.previousElementSibling; n; n = n.previousElementSibling) {
        if (n.tagName === 'H2') {
          before = n;
          break;
        }
      }
    }
    if (slot) page.bar = buildBar({ slot: slot });
    else if (before || boardTable || logBox) page.bar = buildBar({ before: before || boardTable || logBox });
    fetchSite();
    render();
  }

  window.addEventListener('storage', (e) => {
    if (e.key === KEY || e.key === null) render();
  });
  const doc = window.document$;
  if (doc && typeof doc.subscribe === 'function') doc.subscribe(() => init());
  else if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
