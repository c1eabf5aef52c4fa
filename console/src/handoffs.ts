// The coordinator's screen (#/handoffs): released form fields and the outcome.

import { api } from './api';
import { field, h, onSubmit, optionsOf, select, submit } from './dom';
import { formatTime, valueText } from './format';
import { subscribe, topic } from './live';
import { FIELDS, label, OUTCOMES, S } from './strings';
import type { Handoff, ViewContext } from './types';
import { handleError, showError, showStatus } from './ui';

export function mountHandoffs(root: HTMLElement, ctx: ViewContext): void {
  const { signal } = ctx;
  document.title = `${S.handoffsTitle} — ${S.appTitle}`;
  const heading = h('h1', { tabindex: -1 }, S.handoffsTitle);
  const list = h('div', {}, h('p', {}, S.loading));
  const more = h('button', { type: 'button', testid: 'handoffs-more', hidden: true }, S.loadMore);
  root.replaceChildren(h('section', { class: 'handoffs-view' }, heading, list, h('div', { class: 'actions' }, more)));
  heading.focus();

  function item(ho: Handoff): HTMLElement {
    if (ho.unreadable) {
      return h('li', { class: 'panel', testid: 'handoff-item', 'data-handoff-id': ho.id, 'data-case-id': ho.case_id },
        h('h2', {}, S.handoffItemTitle(ho.id, ho.case_id)),
        h('p', { class: 'muted' }, `${S.handoffAt}: ${formatTime(ho.at)}`),
        h('p', { class: 'error', testid: 'handoff-unreadable' }, S.handoffUnreadable));
    }
    const fields = Object.entries(ho.fields ?? {});
    const li = h('li', { class: 'panel', testid: 'handoff-item', 'data-handoff-id': ho.id, 'data-case-id': ho.case_id },
      h('h2', {}, S.handoffItemTitle(ho.id, ho.case_id)),
      h('p', { class: 'muted' }, `${S.handoffAt}: ${formatTime(ho.at)}`),
      fields.length
        ? h('dl', { class: 'facts form-data' }, ...fields.flatMap(([name, value]) => [
          h('dt', {}, label(FIELDS, name)),
          h('dd', { class: 'user-text', testid: 'handoff-value', 'data-field': name }, valueText(value)),
        ]))
        : h('p', { class: 'empty' }, S.handoffNothingReleased),
      ho.note ? h('div', { class: 'handoff-note' }, h('h3', {}, S.handoffNote), h('p', { class: 'user-text', testid: 'handoff-note-text' }, ho.note)) : null);

    if (ho.outcome) {
      li.appendChild(h('p', { class: 'outcome', testid: 'handoff-outcome-value', 'data-outcome': ho.outcome },
        `${S.outcome}: ${label(OUTCOMES, ho.outcome)}`));
      return li;
    }
    const outcome = select([['', S.choose], ...optionsOf(OUTCOMES)], '', { testid: 'handoff-outcome' });
    const note = h('textarea', { rows: 2, testid: 'handoff-outcome-note' });
    const form = h('form', { class: 'stack' },
      field(S.outcome, outcome), field(S.outcomeNote, note),
      h('div', { class: 'actions' }, submit(S.outcomeSubmit, 'handoff-outcome-submit')));
    onSubmit(form, async () => {
      if (!outcome.value) return showError(S.required(S.outcome));
      try {
        await api.outcome(ho.id, outcome.value, note.value);
      } catch (e) {
        return handleError(e);
      }
      showStatus(S.outcomeDone);
      await load();
    });
    li.appendChild(form);
    return li;
  }

  // Newest first, a page at a time; a change reloads from the first page.
  let cursor: string | null = null;
  let generation = 0;
  async function load(reset = true): Promise<void> {
    const gen = ++generation;
    if (reset) cursor = null;
    more.disabled = true;
    try {
      const res = await api.handoffs(cursor, signal);
      if (gen !== generation || signal.aborted) return;
      const ul = reset ? null : list.querySelector('ul');
      if (ul) {
        ul.append(...res.items.map(item));
      } else {
        list.replaceChildren(res.items.length
          ? h('ul', { class: 'plain-list cards', testid: 'handoff-list' }, ...res.items.map(item))
          : h('p', { class: 'empty', testid: 'handoff-list' }, S.noHandoffs));
      }
      cursor = res.next_cursor ?? null;
      more.hidden = cursor === null;
    } catch (e) {
      handleError(e);
    } finally {
      if (gen === generation) more.disabled = false;
    }
  }

  more.addEventListener('click', () => void load(false));
  subscribe(topic.handoffs, () => void load(), signal);
  void load();
}
