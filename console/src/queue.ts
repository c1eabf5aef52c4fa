// The live queue (#/queue, operators and supervisors): my presence, the contacts offered to me
// (accept or reject), my connected contacts (open the case, complete) and the waiting line; on
// each, the moves the API allows there (transfer, callback, abandon: moves.ts).
// Reloaded through the API when the event stream says something changed; wait times tick here.
// A contact's row is built once and kept across reloads while the contact stays where it is
// (movesKey): a reload updates its text and leaves its controls, an open panel and whatever the
// operator is doing with them (a click in progress, a choice, the focus) alone.

import { api } from './api';
import { append, field, h, Keyed, onClick, reconcile, select, setAttrs } from './dom';
import { formatDuration } from './format';
import { subscribe, topic } from './live';
import { keepFocus, makeMoves, movesKey, type Place } from './moves';
import { href } from './router';
import { CHANNELS, KINDS, label, LANGUAGES, MEDIA, PRESENCES, S } from './strings';
import type { Presence, QueueActiveEntry, QueueEntry, QueueMine, ViewContext } from './types';
import { handleError, showStatus } from './ui';

/** Elements whose text is a wait that grows by itself: base + time since the server answered. */
interface Ticker {
  el: HTMLElement;
  baseMs: number;
  since: number;
  format: (t: string) => string;
}

const SETTABLE: Presence[] = ['available', 'busy', 'away', 'offline'];

/** A contact's row, kept across reloads under its movesKey(); update() shows the contact as the server last answered. */
interface Row<E extends QueueEntry = QueueEntry> {
  nodes: HTMLElement[];
  update: (e: E) => void;
}

/** The kept rows of these contacts, each brought up to date, in order: the list's children. */
function rowsOf<E extends QueueEntry>(rows: Keyed<Row<E>>, items: E[], place: (e: E) => Place, make: (e: E) => Row<E>): HTMLElement[] {
  rows.begin();
  const nodes = items.flatMap((e) => {
    const row = rows.get(movesKey(e, place(e)), () => make(e));
    row.update(e);
    return row.nodes;
  });
  rows.end();
  return nodes;
}

function fillFacts(p: HTMLElement, e: QueueEntry): void {
  p.replaceChildren();
  append(p, [
    label(CHANNELS, e.channel), ' · ', label(LANGUAGES, e.language), ' · ', label(KINDS, e.kind), ' · ', label(MEDIA, e.media),
    e.callback ? h('span', { class: 'badge' }, S.callbackBadge) : null,
    e.overflowed ? h('span', { class: 'badge warn' }, S.overflowBadge) : null]);
}

function entryAttrs(e: QueueEntry, testid: string): Record<string, string | number> {
  return {
    testid, 'data-entry-id': e.id, 'data-case-id': e.case_id ?? '', 'data-state': e.state,
    'data-callback': String(e.callback), 'data-language': e.language, 'data-kind': e.kind,
  };
}

/** Debounced: bursts of events make one reload. */
function debounced(fn: () => void, ms: number, signal: AbortSignal): () => void {
  let timer = 0;
  signal.addEventListener('abort', () => window.clearTimeout(timer), { once: true });
  return () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(fn, ms);
  };
}

export function mountQueue(root: HTMLElement, ctx: ViewContext): void {
  const { signal } = ctx;
  document.title = `${S.queueTitle} — ${S.appTitle}`;

  const heading = h('h1', { tabindex: -1 }, S.queueTitle);
  const presence = select([], '', { testid: 'presence-select', name: 'presence' });
  const presenceNow = h('span', { class: 'presence', testid: 'presence-current', 'data-presence': '' });
  const capacity = h('p', { class: 'muted', testid: 'capacity' });
  const offers = h('ul', { class: 'plain-list entries', testid: 'offer-list' });
  const noOffers = h('p', { class: 'empty', testid: 'offer-list-empty' }, S.noOffers);
  const active = h('ul', { class: 'plain-list entries', testid: 'active-list' });
  const noActive = h('p', { class: 'empty', testid: 'active-list-empty' }, S.noContacts);
  const waitingBody = h('tbody', {});
  const waitingTable = h('table', { class: 'waiting', testid: 'waiting-list' },
    h('caption', { class: 'visually-hidden' }, S.waitingLine),
    h('thead', {}, h('tr', {}, ...[S.colWait, S.colChannel, S.colLanguage, S.colKind, S.colMedia, S.colActions]
      .map((t) => h('th', { scope: 'col' }, t)))),
    waitingBody);
  const waitingCount = h('p', { class: 'count', testid: 'waiting-count', 'data-count': 0 });
  const noneWaiting = h('p', { class: 'empty', testid: 'waiting-empty' }, S.noneWaiting);
  // Supervisors: every contact an operator holds, to move one that is stuck (queue.manage).
  const supervising = ctx.me.role === 'supervisor';
  const heldBody = h('tbody', {});
  const heldTable = h('table', { class: 'waiting', testid: 'held-list' },
    h('caption', { class: 'visually-hidden' }, S.withOperators),
    h('thead', {}, h('tr', {}, ...[S.colOperator, S.colState, S.colChannel, S.colLanguage, S.colKind, S.colActions]
      .map((t) => h('th', { scope: 'col' }, t)))),
    heldBody);
  const noneHeld = h('p', { class: 'empty', testid: 'held-empty' }, S.noneWithOperators);
  const heldPanel = supervising
    ? h('section', { class: 'panel', testid: 'held-panel' }, h('h2', {}, S.withOperators),
      h('div', { class: 'table-wrap' }, heldTable), noneHeld)
    : null;

  root.replaceChildren(h('section', { class: 'queue-view', testid: 'queue-view' },
    heading,
    h('div', { class: 'queue-grid' },
      h('div', {},
        h('section', { class: 'panel', testid: 'presence-panel' }, h('h2', {}, S.presencePanel),
          h('div', { class: 'inline-form' }, field(S.presence, presence, S.presenceHint), presenceNow), capacity),
        h('section', { class: 'panel offers-panel', testid: 'offers-panel' }, h('h2', {}, S.myOffers), offers, noOffers),
        h('section', { class: 'panel', testid: 'active-panel' }, h('h2', {}, S.myContacts), active, noActive)),
      h('div', {},
        h('section', { class: 'panel', testid: 'waiting-panel' }, h('h2', {}, S.waitingLine), waitingCount,
          h('div', { class: 'table-wrap' }, waitingTable), noneWaiting),
        heldPanel))));

  // ---- Ticking waits ----
  let mineTickers: Ticker[] = [];
  let lineTickers: Ticker[] = [];
  let heldTickers: Ticker[] = [];
  const tick = () => {
    const now = Date.now();
    for (const t of [...mineTickers, ...lineTickers, ...heldTickers])
      t.el.textContent = t.format(formatDuration(t.baseMs + now - t.since));
  };
  const interval = window.setInterval(tick, 1000);
  signal.addEventListener('abort', () => window.clearInterval(interval), { once: true });

  // ---- Rows with their moves (transfer, callback, abandon), kept across reloads ----
  const movesContext = {
    me: ctx.me, signal, reload: () => Promise.all([loadMine(), loadWaiting(), loadHeld()]).then(() => {}),
  };
  const offerRows = new Keyed<Row>();
  const activeRows = new Keyed<Row>();
  const lineRows = new Keyed<Row>();
  const heldRows = new Keyed<Row<QueueActiveEntry>>();
  // When the answer being shown arrived (the tickers count from it), and the server's clock then.
  let mineSince = 0;
  let lineSince = 0;
  let heldSince = 0;
  let heldAt = 0;

  // ---- My presence, offers and contacts ----
  let mineGen = 0;
  let wrapUpTimer = 0;
  signal.addEventListener('abort', () => window.clearTimeout(wrapUpTimer), { once: true });

  function renderPresence(p: Presence): void {
    const opts: [string, string][] = SETTABLE.map((v) => [v, label(PRESENCES, v)]);
    if (!SETTABLE.includes(p)) opts.push([p, label(PRESENCES, p)]);
    presence.replaceChildren(...opts.map(([v, text]) =>
      h('option', { value: v, selected: v === p, disabled: !SETTABLE.includes(v as Presence) }, text)));
    presence.value = p;
    presenceNow.textContent = label(PRESENCES, p);
    presenceNow.setAttribute('data-presence', p);
    presenceNow.className = `presence presence-${p}`;
  }

  function offerRow(e: QueueEntry): Row {
    const title = h('strong', {});
    const wait = h('span', { class: 'wait', testid: 'offer-wait' });
    const facts = h('p', { class: 'entry-facts' });
    const accept = h('button', { type: 'button', class: 'primary', testid: 'offer-accept' }, S.accept);
    const reject = h('button', { type: 'button', testid: 'offer-reject' }, S.reject);
    onClick(accept, async () => {
      try {
        await api.acceptEntry(e.id);
        showStatus(S.accepted);
      } catch (err) {
        handleError(err);
      }
      await Promise.all([loadMine(), loadWaiting()]);
    });
    onClick(reject, async () => {
      try {
        await api.rejectEntry(e.id);
        showStatus(S.rejected);
      } catch (err) {
        handleError(err);
      }
      await Promise.all([loadMine(), loadWaiting()]);
    });
    const moves = makeMoves(e, 'offer', movesContext);
    const li = h('li', { class: 'entry offer' },
      h('div', { class: 'entry-head' }, title, wait),
      facts,
      h('div', { class: 'row-actions' }, accept, reject, moves.buttons),
      moves.panels);
    return {
      nodes: [li],
      update: (cur) => {
        setAttrs(li, entryAttrs(cur, 'offer-item'));
        title.textContent = S.entryTitle(cur.case_id, cur.id);
        fillFacts(facts, cur);
        mineTickers.push({ el: wait, baseMs: cur.wait_ms, since: mineSince, format: S.waiting });
      },
    };
  }

  function activeRow(e: QueueEntry): Row {
    const title = h('strong', {});
    const waited = h('span', { class: 'wait muted', testid: 'active-waited' });
    const facts = h('p', { class: 'entry-facts' });
    const complete = h('button', { type: 'button', testid: 'active-complete' }, S.complete);
    onClick(complete, async () => {
      try {
        await api.completeEntry(e.id);
        showStatus(S.completed);
      } catch (err) {
        handleError(err);
      }
      await loadMine();
    });
    const link = e.case_id ? h('a', { href: href.case(e.case_id), testid: 'active-case-link' }, S.openCase) : null;
    const moves = makeMoves(e, 'active', movesContext);
    const li = h('li', { class: 'entry' },
      h('div', { class: 'entry-head' }, title, waited),
      facts,
      h('div', { class: 'row-actions' }, link, complete, moves.buttons),
      moves.panels);
    return {
      nodes: [li],
      update: (cur) => {
        setAttrs(li, entryAttrs(cur, 'active-item'));
        title.textContent = S.entryTitle(cur.case_id, cur.id);
        waited.textContent = S.waited(formatDuration(cur.wait_ms));
        fillFacts(facts, cur);
      },
    };
  }

  function renderMine(m: QueueMine, since: number): void {
    renderPresence(m.presence);
    capacity.textContent = S.capacity(m.active_chats, m.max_chats, m.active_calls);
    mineTickers = [];
    mineSince = since;
    // Rows still there are updated in place, not built again (see reconcile in dom.ts).
    keepFocus(() => {
      reconcile(offers, rowsOf(offerRows, m.offers, () => 'offer', offerRow));
      reconcile(active, rowsOf(activeRows, m.active, () => 'active', activeRow));
    });
    noOffers.hidden = m.offers.length > 0;
    noActive.hidden = m.active.length > 0;
    // Wrap-up ends by itself, without an event: look again shortly.
    window.clearTimeout(wrapUpTimer);
    if (m.presence === 'wrap_up') wrapUpTimer = window.setTimeout(() => void loadMine(), 3000);
  }

  async function loadMine(): Promise<void> {
    const gen = ++mineGen;
    try {
      const m = await api.queueMine(signal);
      if (gen !== mineGen || signal.aborted) return;
      renderMine(m, Date.now());
    } catch (e) {
      handleError(e);
    }
  }

  // ---- The waiting line ----
  function lineRow(e: QueueEntry): Row {
    const wait = h('td', { class: 'wait', testid: 'waiting-wait' });
    const channel = h('td', {});
    const language = h('td', { testid: 'waiting-language' });
    const kind = h('td', {});
    const media = h('td', {});
    const moves = makeMoves(e, 'waiting', movesContext);
    const tr = h('tr', {}, wait, channel, language, kind, media, h('td', {}, h('div', { class: 'row-actions' }, moves.buttons)));
    // The open panel (transfer, abandon) and a refused move, across the row; hidden by CSS when empty.
    const movesRow = h('tr', { class: 'moves-row', testid: 'waiting-moves', 'data-entry-id': e.id }, h('td', { colspan: 6 }, moves.panels));
    return {
      nodes: [tr, movesRow],
      update: (cur) => {
        setAttrs(tr, entryAttrs(cur, 'waiting-row'));
        lineTickers.push({ el: wait, baseMs: cur.wait_ms, since: lineSince, format: (t) => t });
        channel.replaceChildren();
        append(channel, [label(CHANNELS, cur.channel), cur.callback ? h('span', { class: 'badge' }, S.callbackBadge) : null]);
        language.textContent = label(LANGUAGES, cur.language);
        kind.textContent = label(KINDS, cur.kind);
        media.textContent = label(MEDIA, cur.media);
      },
    };
  }

  let lineGen = 0;
  async function loadWaiting(): Promise<void> {
    const gen = ++lineGen;
    try {
      const w = await api.queueWaiting(signal);
      if (gen !== lineGen || signal.aborted) return;
      lineSince = Date.now();
      lineTickers = [];
      keepFocus(() => reconcile(waitingBody, rowsOf(lineRows, w.items, () => 'waiting', lineRow)));
      waitingCount.textContent = S.waitingCount(w.items.length);
      waitingCount.setAttribute('data-count', String(w.items.length));
      waitingTable.hidden = w.items.length === 0;
      noneWaiting.hidden = w.items.length > 0;
      tick();
    } catch (e) {
      handleError(e);
    }
  }

  // ---- Contacts held by operators (supervisors) ----
  let heldGen = 0;
  let operatorNames = new Map<number, string>();

  function heldRow(e: QueueActiveEntry): Row<QueueActiveEntry> {
    const operator = h('td', { testid: 'held-operator' });
    const state = h('td', { testid: 'held-state' });
    const channel = h('td', {});
    const language = h('td', {});
    const kind = h('td', {});
    const moves = makeMoves(e, e.offered ? 'offer' : 'active', movesContext);
    const tr = h('tr', {}, operator, state, channel, language, kind, h('td', {}, h('div', { class: 'row-actions' }, moves.buttons)));
    const movesRow = h('tr', { class: 'moves-row', testid: 'held-moves', 'data-entry-id': e.id }, h('td', { colspan: 6 }, moves.panels));
    return {
      nodes: [tr, movesRow],
      update: (cur) => {
        const who = cur.operator_id ?? 0;
        setAttrs(tr, { ...entryAttrs(cur, 'held-row'), 'data-operator-id': who });
        operator.textContent = operatorNames.get(who) ?? `#${who}`;
        if (cur.offered || cur.connected_at === null) {
          state.textContent = S.stateOffered;
        } else {
          heldTickers.push({ el: state, baseMs: heldAt - cur.connected_at, since: heldSince, format: S.stateTalking });
        }
        channel.textContent = label(CHANNELS, cur.channel);
        language.textContent = label(LANGUAGES, cur.language);
        kind.textContent = label(KINDS, cur.kind);
      },
    };
  }
  async function loadHeld(): Promise<void> {
    if (!supervising) return;
    const gen = ++heldGen;
    try {
      const [held, ops] = await Promise.all([api.queueActive(signal), api.operators(signal)]);
      if (gen !== heldGen || signal.aborted) return;
      operatorNames = new Map(ops.items.map((o) => [o.id, o.username]));
      heldSince = Date.now();
      heldAt = held.at;
      heldTickers = [];
      keepFocus(() => reconcile(heldBody, rowsOf(heldRows, held.items, (e) => (e.offered ? 'offer' : 'active'), heldRow)));
      heldTable.hidden = held.items.length === 0;
      noneHeld.hidden = held.items.length > 0;
      tick();
    } catch (e) {
      handleError(e);
    }
  }

  presence.addEventListener('change', async () => {
    const wanted = presence.value as Presence;
    presence.disabled = true;
    try {
      const r = await api.setPresence(wanted);
      renderPresence(r.presence);
      showStatus(S.presenceSet);
    } catch (e) {
      handleError(e);
    } finally {
      presence.disabled = false;
    }
    await Promise.all([loadMine(), loadWaiting()]);
  });

  const reloadMine = debounced(() => void loadMine().then(tick), 50, signal);
  const reloadWaiting = debounced(() => void loadWaiting(), 50, signal);
  subscribe(topic.queueMine, reloadMine, signal);
  subscribe(topic.queueWaiting, reloadWaiting, signal);
  if (supervising) subscribe(topic.wallboard, debounced(() => void loadHeld(), 100, signal), signal);

  heading.focus();
  void loadMine().then(tick);
  void loadWaiting();
  void loadHeld();
}
