// The case list (#/cases): filters, table, "load more".

import { api, ApiError } from './api';
import { field, h, onSubmit, optionsOf, select, submit } from './dom';
import { formatAge, formatTime } from './format';
import { subscribe, topic } from './live';
import { href, navigate } from './router';
import { CHANNELS, KINDS, label, S, STATES, TRIAGE } from './strings';
import type { CaseFilter, CaseSummary, ViewContext } from './types';
import { handleError, showError } from './ui';

const emptyFilter = (): CaseFilter => ({ state: '', kind: '', channel: '', assignee: '', older_than_hours: '' });

/** Kept while the session lasts, so coming back from a case keeps the filters. */
let filter: CaseFilter = emptyFilter();

export function resetCaseFilter(): void {
  filter = emptyFilter();
}

const withAny = (opts: [string, string][]): [string, string][] => [['', S.any], ...opts];

function caseRow(c: CaseSummary): HTMLTableRowElement {
  const link = h('a', { href: href.case(c.id), testid: 'case-link' }, S.caseTitle(c.id));
  const tr = h('tr', { testid: 'case-row', 'data-case-id': c.id, 'data-state': c.state, class: c.suspect ? 'suspect' : null },
    h('th', { scope: 'row' }, link, c.suspect ? h('span', { class: 'badge warn' }, S.suspectBadge) : null),
    h('td', {}, label(KINDS, c.kind)),
    h('td', {}, h('span', { class: `state state-${c.state}` }, label(STATES, c.state))),
    h('td', {}, label(CHANNELS, c.channel)),
    h('td', {}, label(TRIAGE, c.triage)),
    h('td', {}, c.assignee ? c.assignee.username : S.none),
    h('td', { title: formatTime(c.created_at), testid: 'case-age' }, formatAge(c.created_at)),
    h('td', { title: formatTime(c.updated_at) }, formatAge(c.updated_at)),
  );
  // The whole row opens the case for a mouse; the link is there for the keyboard.
  tr.addEventListener('click', (ev) => {
    if ((ev.target as HTMLElement).closest('a')) return;
    navigate(href.case(c.id));
  });
  return tr;
}

export function mountCases(root: HTMLElement, ctx: ViewContext): void {
  const { signal } = ctx;
  document.title = `${S.casesTitle} — ${S.appTitle}`;

  const fState = select(withAny(optionsOf(STATES)), filter.state, { testid: 'filter-state', name: 'state' });
  const fKind = select(withAny(optionsOf(KINDS)), filter.kind, { testid: 'filter-kind', name: 'kind' });
  const fChannel = select(withAny(optionsOf(CHANNELS)), filter.channel, { testid: 'filter-channel', name: 'channel' });
  const fAssignee = select(withAny([['me', S.assigneeMe], ['none', S.assigneeNone]]), filter.assignee, { testid: 'filter-assignee', name: 'assignee' });
  const fAge = select(withAny(S.ageOptions.map(([hours, text]) => [String(hours), text])), filter.older_than_hours, { testid: 'filter-age', name: 'older_than_hours' });
  // A filter by user id that is not (yet) in the list still shows as chosen.
  if (filter.assignee && fAssignee.value !== filter.assignee) {
    fAssignee.appendChild(h('option', { value: filter.assignee, selected: true }, filter.assignee));
  }

  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': S.filters },
    field(S.filterState, fState),
    field(S.filterKind, fKind),
    field(S.filterChannel, fChannel),
    field(S.filterAssignee, fAssignee),
    field(S.filterAge, fAge));
  filters.addEventListener('submit', (ev) => ev.preventDefault());

  const tbody = h('tbody', {});
  const table = h('table', { class: 'cases', testid: 'case-list' },
    h('caption', { class: 'visually-hidden' }, S.casesTitle),
    h('thead', {}, h('tr', {},
      ...[S.colId, S.colKind, S.colState, S.colChannel, S.colTriage, S.colAssignee, S.colAge, S.colUpdated]
        .map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  const empty = h('p', { class: 'empty', testid: 'case-list-empty', hidden: true }, S.noCases);
  const count = h('p', { class: 'count', 'aria-live': 'polite', testid: 'case-count' });
  const more = h('button', { type: 'button', testid: 'load-more', hidden: true }, S.loadMore);
  const heading = h('h1', { tabindex: -1 }, S.casesTitle);

  // A caller's receipt code opens his case; the code is sent in a POST body, never in the address.
  const receipt = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', testid: 'lookup-receipt' });
  const lookup = h('form', { class: 'lookup', role: 'search', 'aria-label': S.lookupTitle },
    field(S.lookupLabel, receipt, S.lookupHint), h('div', { class: 'actions' }, submit(S.lookupSubmit, 'lookup-submit')));
  onSubmit(lookup, async () => {
    try {
      const found = await api.lookup(receipt.value);
      receipt.value = '';
      navigate(href.case(found.id));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return showError(S.lookupNotFound);
      handleError(e);
    }
  });

  root.replaceChildren(h('section', { class: 'cases-view' },
    heading, h('p', {}, h('a', { href: href.report, class: 'button', testid: 'new-report' }, S.newReport)), lookup, filters, count, h('div', { class: 'table-wrap' }, table), empty, h('div', { class: 'actions' }, more)));

  let cursor: string | null = null;
  let shown = 0;
  let generation = 0;

  async function load(reset: boolean): Promise<void> {
    const gen = ++generation;
    if (reset) cursor = null;
    more.disabled = true;
    root.querySelector('.cases-view')?.setAttribute('aria-busy', 'true');
    try {
      const page = await api.cases(filter, cursor, signal);
      if (gen !== generation || signal.aborted) return; // replaced by a newer request, or left
      if (reset) {
        tbody.replaceChildren();
        shown = 0;
      }
      tbody.append(...page.items.map(caseRow));
      shown += page.items.length;
      cursor = page.next_cursor ?? null;
      more.hidden = cursor === null;
      empty.hidden = shown > 0;
      count.textContent = S.caseCount(shown, cursor !== null);
    } catch (e) {
      handleError(e);
    } finally {
      if (gen === generation) {
        more.disabled = false;
        root.querySelector('.cases-view')?.removeAttribute('aria-busy');
      }
    }
  }

  const bind = (el: HTMLSelectElement, key: keyof CaseFilter) =>
    el.addEventListener('change', () => {
      filter = { ...filter, [key]: el.value };
      void load(true);
    });
  bind(fState, 'state');
  bind(fKind, 'kind');
  bind(fChannel, 'channel');
  bind(fAssignee, 'assignee');
  bind(fAge, 'older_than_hours');
  more.addEventListener('click', () => void load(false));

  // Other operators as assignee filter choices (optional: the filter works without them).
  api.operators(signal).then(
    (res) => {
      for (const op of res.items) {
        const value = String(op.id);
        const existing = Array.from(fAssignee.options).find((o) => o.value === value);
        if (existing) existing.textContent = op.username;
        else fAssignee.appendChild(h('option', { value, selected: filter.assignee === value }, op.username));
      }
    },
    () => {},
  );

  subscribe(topic.cases, () => void load(true), signal);
  heading.focus();
  void load(true);
}
