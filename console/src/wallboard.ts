// The wallboard (#/wallboard, supervisors and administrators): the line now (waiting, longest
// wait, callbacks, in conversation, operators by presence) and today's figures (offered,
// answered, abandoned, service level, average speed of answer). Reloaded when the event stream
// says the queue moved, and every 15 s anyway (wrap-ups end without an event); the longest wait
// ticks here between reloads.

import { api } from './api';
import { h } from './dom';
import { formatDuration, formatTime } from './format';
import { subscribe, topic } from './live';
import { label, PRESENCES, S } from './strings';
import type { Presence, ViewContext, Wallboard } from './types';
import { handleError } from './ui';

const PRESENCE_ORDER: Presence[] = ['available', 'busy', 'wrap_up', 'away', 'offline'];

const percent = (v: number | null) => (v === null ? S.none : `${Math.round(v * 1000) / 10} %`);
const seconds = (v: number | null) => (v === null ? S.none : `${Math.round(v * 10) / 10} s`);

export function mountWallboard(root: HTMLElement, ctx: ViewContext): void {
  const { signal } = ctx;
  document.title = `${S.wallboardTitle} — ${S.appTitle}`;

  /** One figure: a label and a big value; data-value holds the raw number for machines. */
  const tile = (title: string, testid: string) => {
    const value = h('p', { class: 'tile-value', testid, 'data-value': '' }, S.none);
    const el = h('div', { class: 'tile' }, h('p', { class: 'tile-label' }, title), value);
    return { el, value, title: el.firstChild as HTMLElement };
  };
  const set = (t: { value: HTMLElement }, raw: number | null, text: string) => {
    t.value.textContent = text;
    t.value.setAttribute('data-value', raw === null ? '' : String(raw));
  };

  const waiting = tile(S.wbWaiting, 'wb-waiting');
  const longest = tile(S.wbLongest, 'wb-longest');
  const callbacks = tile(S.wbCallbacks, 'wb-callbacks');
  const connected = tile(S.wbConnected, 'wb-connected');
  const offered = tile(S.wbOffered, 'wb-offered');
  const answered = tile(S.wbAnswered, 'wb-answered');
  const abandoned = tile(S.wbAbandoned, 'wb-abandoned');
  const sl = tile(S.wbServiceLevel(20), 'wb-service-level');
  const asa = tile(S.wbAsa, 'wb-asa');
  const abandonRate = tile(S.wbAbandonRate, 'wb-abandon-rate');
  const presenceList = h('ul', { class: 'presence-list', testid: 'wb-operators' });
  const updated = h('p', { class: 'muted', testid: 'wb-updated' });
  const heading = h('h1', { tabindex: -1 }, S.wallboardTitle);

  root.replaceChildren(h('section', { class: 'wallboard-view', testid: 'wallboard-view' },
    heading,
    h('section', { class: 'panel', testid: 'wb-now' }, h('h2', {}, S.wbLive),
      h('div', { class: 'tiles' }, waiting.el, longest.el, callbacks.el, connected.el),
      h('h3', {}, S.wbOperators), presenceList),
    h('section', { class: 'panel', testid: 'wb-today' }, h('h2', {}, S.wbToday),
      h('div', { class: 'tiles' }, offered.el, answered.el, abandoned.el, sl.el, asa.el, abandonRate.el)),
    updated));

  let longestBase = 0;
  let longestSince = 0;
  let anyWaiting = false;
  const tick = () => {
    if (anyWaiting) longest.value.textContent = formatDuration(longestBase + Date.now() - longestSince);
  };
  const interval = window.setInterval(tick, 1000);
  signal.addEventListener('abort', () => window.clearInterval(interval), { once: true });

  function render(b: Wallboard): void {
    set(waiting, b.waiting, String(b.waiting));
    longestBase = b.longest_wait_ms;
    longestSince = Date.now();
    anyWaiting = b.waiting > 0;
    set(longest, b.longest_wait_ms, anyWaiting ? formatDuration(b.longest_wait_ms) : S.none);
    set(callbacks, b.callbacks_waiting, String(b.callbacks_waiting));
    set(connected, b.connected, String(b.connected));
    presenceList.replaceChildren(...PRESENCE_ORDER.map((p) => {
      const n = b.operators?.[p] ?? 0;
      return h('li', { class: `presence-${p}`, testid: 'wb-presence', 'data-presence': p, 'data-value': n },
        h('span', { class: 'presence-count' }, String(n)), ' ', label(PRESENCES, p));
    }));
    const t = b.today;
    set(offered, t.offered, String(t.offered));
    set(answered, t.answered, String(t.answered));
    set(abandoned, t.abandoned, String(t.abandoned));
    sl.title.textContent = S.wbServiceLevel(b.service_level_seconds);
    set(sl, t.service_level, percent(t.service_level));
    set(asa, t.asa_seconds, seconds(t.asa_seconds));
    set(abandonRate, t.abandon_rate, percent(t.abandon_rate));
    updated.textContent = S.wbUpdated(formatTime(b.at));
  }

  let gen = 0;
  async function load(): Promise<void> {
    const mine = ++gen;
    try {
      const b = await api.wallboard(signal);
      if (mine !== gen || signal.aborted) return;
      render(b);
    } catch (e) {
      handleError(e);
    }
  }

  // Events come in bursts (enter, offer, accept, connect): one reload for a burst.
  let timer = 0;
  const reload = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void load(), 150);
  };
  const poll = window.setInterval(() => void load(), 15_000);
  signal.addEventListener('abort', () => {
    window.clearTimeout(timer);
    window.clearInterval(poll);
  }, { once: true });
  subscribe(topic.wallboard, reload, signal);

  heading.focus();
  void load();
}
