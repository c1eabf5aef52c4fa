// The live queue (#/queue, operators and supervisors): my presence, the contacts offered to me
// (accept or reject), my connected contacts (open the case, complete) and the waiting line; on
// each, the moves the API allows there (transfer, callback, abandon: moves.ts).
// Reloaded through the API when the event stream says something changed; wait times tick here.

import { api } from './api';
import { field, h, onClick, select } from './dom';
import { formatDuration } from './format';
import { subscribe, topic } from './live';
import { keepFocus, MovesCache } from './moves';
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

function entryFacts(e: QueueEntry): HTMLElement {
  return h('p', { class: 'entry-facts' },
    label(CHANNELS, e.channel), ' · ', label(LANGUAGES, e.language), ' · ', label(KINDS, e.kind), ' · ', label(MEDIA, e.media),
    e.callback ? h('span', { class: 'badge' }, S.callbackBadge) : null,
    e.overflowed ? h('span', { class: 'badge warn' }, S.overflowBadge) : null);
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

  // ---- Moves (transfer, callback, abandon), kept across reloads ----
  const movesContext = {
    me: ctx.me, signal, reload: () => Promise.all([loadMine(), loadWaiting(), loadHeld()]).then(() => {}),
  };
  const mineMoves = new MovesCache(movesContext);
  const lineMoves = new MovesCache(movesContext);
  const heldMoves = new MovesCache(movesContext);

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

  function offerItem(e: QueueEntry, since: number): HTMLLIElement {
    const wait = h('span', { class: 'wait', testid: 'offer-wait' });
    mineTickers.push({ el: wait, baseMs: e.wait_ms, since, format: S.waiting });
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
    const moves = mineMoves.get(e, 'offer');
    return h('li', { class: 'entry offer', ...entryAttrs(e, 'offer-item') },
      h('div', { class: 'entry-head' }, h('strong', {}, S.entryTitle(e.case_id, e.id)), wait),
      entryFacts(e),
      h('div', { class: 'row-actions' }, accept, reject, moves.buttons),
      moves.panels);
  }

  function activeItem(e: QueueEntry): HTMLLIElement {
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
    const moves = mineMoves.get(e, 'active');
    return h('li', { class: 'entry', ...entryAttrs(e, 'active-item') },
      h('div', { class: 'entry-head' }, h('strong', {}, S.entryTitle(e.case_id, e.id)),
        h('span', { class: 'wait muted', testid: 'active-waited' }, S.waited(formatDuration(e.wait_ms)))),
      entryFacts(e),
      h('div', { class: 'row-actions' }, link, complete, moves.buttons),
      moves.panels);
  }

  function renderMine(m: QueueMine, since: number): void {
    renderPresence(m.presence);
    capacity.textContent = S.capacity(m.active_chats, m.max_chats, m.active_calls);
    mineTickers = [];
    mineMoves.begin();
    keepFocus(() => {
      offers.replaceChildren(...m.offers.map((e) => offerItem(e, since)));
      active.replaceChildren(...m.active.map(activeItem));
    });
    mineMoves.end();
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
  let lineGen = 0;
  async function loadWaiting(): Promise<void> {
    const gen = ++lineGen;
    try {
      const w = await api.queueWaiting(signal);
      if (gen !== lineGen || signal.aborted) return;
      const since = Date.now();
      lineTickers = [];
      lineMoves.begin();
      keepFocus(() => waitingBody.replaceChildren(...w.items.flatMap((e) => {
        const wait = h('td', { class: 'wait', testid: 'waiting-wait' });
        lineTickers.push({ el: wait, baseMs: e.wait_ms, since, format: (t) => t });
        const moves = lineMoves.get(e, 'waiting');
        return [
          h('tr', entryAttrs(e, 'waiting-row'),
            wait,
            h('td', {}, label(CHANNELS, e.channel), e.callback ? h('span', { class: 'badge' }, S.callbackBadge) : null),
            h('td', { testid: 'waiting-language' }, label(LANGUAGES, e.language)),
            h('td', {}, label(KINDS, e.kind)),
            h('td', {}, label(MEDIA, e.media)),
            h('td', {}, h('div', { class: 'row-actions' }, moves.buttons))),
          // The open panel (transfer, abandon) and a refused move, across the row; hidden by CSS when empty.
          h('tr', { class: 'moves-row', testid: 'waiting-moves', 'data-entry-id': e.id }, h('td', { colspan: 6 }, moves.panels)),
        ];
      })));
      lineMoves.end();
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
  async function loadHeld(): Promise<void> {
    if (!supervising) return;
    const gen = ++heldGen;
    try {
      const [held, ops] = await Promise.all([api.queueActive(signal), api.operators(signal)]);
      if (gen !== heldGen || signal.aborted) return;
      operatorNames = new Map(ops.items.map((o) => [o.id, o.username]));
      const since = Date.now();
      heldTickers = [];
      heldMoves.begin();
      keepFocus(() => heldBody.replaceChildren(...held.items.flatMap((e: QueueActiveEntry) => {
        const state = h('td', { testid: 'held-state' });
        if (e.offered || e.connected_at === null) {
          state.textContent = S.stateOffered;
        } else {
          heldTickers.push({ el: state, baseMs: held.at - e.connected_at, since, format: S.stateTalking });
        }
        const moves = heldMoves.get(e, e.offered ? 'offer' : 'active');
        const who = e.operator_id ?? 0;
        return [
          h('tr', { ...entryAttrs(e, 'held-row'), 'data-operator-id': who },
            h('td', { testid: 'held-operator' }, operatorNames.get(who) ?? `#${who}`),
            state,
            h('td', {}, label(CHANNELS, e.channel)),
            h('td', {}, label(LANGUAGES, e.language)),
            h('td', {}, label(KINDS, e.kind)),
            h('td', {}, h('div', { class: 'row-actions' }, moves.buttons))),
          h('tr', { class: 'moves-row', testid: 'held-moves', 'data-entry-id': e.id }, h('td', { colspan: 6 }, moves.panels)),
        ];
      })));
      heldMoves.end();
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
