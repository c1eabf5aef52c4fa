// One case (#/cases/{id}): conversation, details, form, and every action.
// After any successful action the case is loaded again and redrawn.

import { api } from './api';
import { field, h, onClick, onSubmit, optionsOf, select, submit } from './dom';
import { formatTime, valueText } from './format';
import { subscribe, topic } from './live';
import { href } from './router';
import {
  CHANNELS, CLOSURE_REASONS, FIELDS, HISTORY_TYPES, INQUIRY_ANSWERS, KINDS, label, OUTCOMES, ROLES, S, STATES, TRIAGE,
} from './strings';
import type { CaseDetail, HistoryEntry, Message, Operator, UserRef, ViewContext } from './types';
import { handleError, showError, showStatus } from './ui';

interface Pickers {
  operators: Operator[];
  coordinators: UserRef[];
}

const choose = (opts: [string, string][]): [string, string][] => [['', S.choose], ...opts];

function section(title: string, testid: string, ...body: (HTMLElement | null)[]): HTMLElement {
  return h('section', { class: 'panel', testid }, h('h2', {}, title), ...body);
}

function textArea(testid: string, rows = 3): HTMLTextAreaElement {
  return h('textarea', { rows, testid });
}

// ---- Displays --------------------------------------------------------------

function details(c: CaseDetail): HTMLElement {
  const rows: [string, string, string][] = [
    [S.kind, label(KINDS, c.kind), 'case-kind'],
    [S.channel, label(CHANNELS, c.channel), 'case-channel'],
    [S.triage, label(TRIAGE, c.triage), 'case-triage'],
    [S.suspect, c.suspect ? S.yes : S.no, 'case-suspect'],
    [S.assignee, c.assignee ? c.assignee.username : S.unassigned, 'case-assignee'],
    [S.created, formatTime(c.created_at), 'case-created'],
    [S.updated, formatTime(c.updated_at), 'case-updated'],
  ];
  if (c.closure_reason && c.closure_reason !== 'none') rows.push([S.closureReason, label(CLOSURE_REASONS, c.closure_reason), 'case-closure']);
  if (c.inquiry_answer && c.inquiry_answer !== 'none') rows.push([S.inquiryAnswer, label(INQUIRY_ANSWERS, c.inquiry_answer), 'case-answer']);
  return h('dl', { class: 'facts' }, ...rows.flatMap(([k, v, id]) => [h('dt', {}, k), h('dd', { testid: id }, v)]));
}

function formFields(c: CaseDetail): HTMLElement {
  const entries = Object.entries(c.form ?? {});
  if (entries.length === 0) return h('p', { class: 'empty' }, S.formEmpty);
  return h('dl', { class: 'facts form-data', testid: 'case-form' },
    ...entries.flatMap(([name, value]) => [
      h('dt', {}, label(FIELDS, name)),
      h('dd', { class: 'user-text', testid: 'form-value', 'data-field': name }, valueText(value)),
    ]));
}

function authorName(m: Message): string {
  if (m.author) return m.author.username;
  return m.kind === 'inbound' || m.kind === 'form' ? S.authorPerson : S.authorSystem;
}

/** The answers of a form message ({name: value}) as a small definition list; null when there are none. */
function messageFields(m: Message): HTMLElement | null {
  const entries = Object.entries(m.fields ?? {});
  if (entries.length === 0) return null;
  return h('dl', { class: 'facts message-fields' },
    ...entries.map(([name, value]) => h('div', { class: 'message-field', testid: 'message-field', 'data-field': name },
      h('dt', {}, label(FIELDS, name)),
      h('dd', { class: 'user-text' }, valueText(value)))));
}

function message(m: Message): HTMLElement {
  const fields = messageFields(m);
  return h('li', { class: `message message-${m.kind}`, testid: 'message', 'data-kind': m.kind, 'data-message-id': m.id },
    h('div', { class: 'message-meta' },
      h('span', { class: 'message-kind' }, label(S.messageKind, m.kind)),
      h('span', {}, authorName(m)),
      h('span', {}, label(CHANNELS, m.channel)),
      h('time', { datetime: new Date(m.at).toISOString() }, formatTime(m.at))),
    m.text || !fields ? h('p', { class: 'message-text user-text', testid: 'message-text' }, m.text) : null,
    fields);
}

function conversation(c: CaseDetail): HTMLElement {
  if (c.messages.length === 0) return h('p', { class: 'empty', testid: 'messages' }, S.noMessages);
  return h('ol', { class: 'messages', testid: 'messages' }, ...c.messages.map(message));
}

/** The photos of the case, each opened through the API (every view is audited as a case read). */
function photos(c: CaseDetail): HTMLElement {
  const items = c.attachments ?? [];
  if (items.length === 0) return h('p', { class: 'empty', testid: 'photos' }, S.noPhotos);
  return h('ul', { class: 'photos', testid: 'photos' },
    ...items.map((a, i) => {
      const url = `/api/v1/cases/${c.id}/attachments/${a.id}`;
      return h('li', { testid: 'photo', 'data-attachment-id': a.id },
        h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' },
          h('img', { src: url, alt: S.photoAlt(i + 1), loading: 'lazy', testid: 'photo-image' })),
        h('p', { class: 'muted' }, S.photoCaption(Math.max(1, Math.round(a.size / 1024)), formatTime(a.at))));
    }));
}

function handoffList(c: CaseDetail): HTMLElement {
  if (c.handoffs.length === 0) return h('p', { class: 'empty', testid: 'handoff-list' }, S.noHandoffs);
  return h('ul', { class: 'plain-list', testid: 'handoff-list' },
    ...c.handoffs.map((ho) => h('li', { testid: 'handoff-item', 'data-handoff-id': ho.id },
      h('p', {}, S.handoffSummary(ho.coordinator.username, formatTime(ho.at))),
      h('p', { class: 'muted' }, `${S.handoffReleased}: `,
        ho.fields.length ? ho.fields.map((f) => label(FIELDS, f)).join(', ') : S.handoffNothingReleased),
      h('p', { testid: 'handoff-item-outcome', 'data-outcome': ho.outcome ?? '' },
        ho.outcome ? `${S.outcome}: ${label(OUTCOMES, ho.outcome)}` : S.handoffPending),
      ho.outcome_note
        ? h('div', { class: 'handoff-note' }, h('h3', {}, S.outcomeNoteBy(formatTime(ho.outcome_at ?? ho.at))),
          h('p', { class: 'user-text', testid: 'handoff-item-outcome-note' }, ho.outcome_note))
        : null)));
}

/** Usernames by id (as the strings history entries use), from everything the screen knows. */
function knownUsers(c: CaseDetail, pickers: Pickers): Map<string, string> {
  const names = new Map<string, string>();
  const add = (u: UserRef | null | undefined) => {
    if (u && !names.has(String(u.id))) names.set(String(u.id), u.username);
  };
  pickers.operators.forEach(add);
  pickers.coordinators.forEach(add);
  add(c.assignee);
  c.handoffs.forEach((ho) => add(ho.coordinator));
  c.history.forEach((e) => add(e.actor));
  c.messages.forEach((m) => add(m.author));
  return names;
}

/** A state as recorded in history: "closed:completed" → "Closed (Completed)". */
function stateText(value: string | null): string {
  if (!value) return S.none;
  const colon = value.indexOf(':');
  if (colon < 0) return label(STATES, value);
  const state = value.slice(0, colon);
  const detail = value.slice(colon + 1);
  const table: Record<string, string> = state === 'closed' ? CLOSURE_REASONS : state === 'answered' ? INQUIRY_ANSWERS : {};
  const stateLabel = label(STATES, state);
  return detail ? S.historyStateDetail(stateLabel, label(table, detail)) : stateLabel;
}

function historyText(e: HistoryEntry, names: Map<string, string>): string {
  const what = label(HISTORY_TYPES, e.type);
  const user = (id: string | null): string => {
    if (!id || id === '0') return S.unassigned;
    return names.get(id) ?? S.userById(id);
  };
  switch (e.type) {
    case 'transition':
    case 'reopen':
      return S.historyChange(what, stateText(e.from), stateText(e.to));
    case 'triage':
      return S.historyChange(what, label(TRIAGE, e.from), label(TRIAGE, e.to));
    case 'suspect':
      return e.to === 'true' ? S.historySuspectOn : S.historySuspectOff;
    case 'assign':
      return S.historyChange(what, user(e.from), user(e.to));
    case 'handoff': {
      const fields = (e.from ?? '').split(',').filter((f) => f !== '').map((f) => label(FIELDS, f));
      return S.historyHandoff(e.to ? names.get(e.to) ?? S.userById(e.to) : S.none,
        fields.length ? fields.join(', ') : S.handoffNothingReleased);
    }
    case 'handoff_outcome':
      return S.historyOutcome(what, label(OUTCOMES, e.to));
    default:
      return e.from || e.to ? S.historyChange(what, e.from || S.none, e.to || S.none) : what;
  }
}

function history(c: CaseDetail, names: Map<string, string>): HTMLElement {
  if (c.history.length === 0) return h('p', { class: 'empty' }, S.noHistory);
  return h('ol', { class: 'plain-list history', testid: 'history' },
    ...c.history.map((e) => h('li', { testid: 'history-item', 'data-type': e.type },
      h('div', { class: 'message-meta' },
        h('time', { datetime: new Date(e.at).toISOString() }, formatTime(e.at)),
        h('span', {}, e.actor ? e.actor.username : S.authorSystem)),
      h('p', {}, historyText(e, names)),
      e.reason ? h('p', { class: 'user-text muted' }, e.reason) : null)));
}

// ---- Mount -----------------------------------------------------------------

export function mountCase(root: HTMLElement, ctx: ViewContext, caseId: number): void {
  const { signal } = ctx;
  const pickers: Pickers = { operators: [], coordinators: [] };
  root.replaceChildren(h('p', {}, S.loading));
  document.title = `${S.caseTitle(caseId)} — ${S.appTitle}`;

  /** Runs an action; on success reports it and reloads the case (keeping focus). */
  async function act(run: () => Promise<unknown>, done: string): Promise<void> {
    const focusKey = document.activeElement?.getAttribute('data-testid') ?? null;
    try {
      await run();
    } catch (e) {
      return handleError(e);
    }
    showStatus(done);
    await load(focusKey);
  }

  function replyForm(): HTMLElement {
    const text = textArea('reply-text', 4);
    const form = h('form', { class: 'stack' }, field(S.replyLabel, text), h('div', { class: 'actions' }, submit(S.replySubmit, 'reply-submit')));
    onSubmit(form, async () => {
      if (!text.value.trim()) return showError(S.required(S.replyLabel));
      await act(() => api.reply(caseId, text.value), S.replySent);
    });
    return section(S.replyTitle, 'reply-panel', form);
  }

  function noteForm(): HTMLElement {
    const text = textArea('note-text', 3);
    const form = h('form', { class: 'stack' }, field(S.noteLabel, text), h('div', { class: 'actions' }, submit(S.noteSubmit, 'note-submit')));
    onSubmit(form, async () => {
      if (!text.value.trim()) return showError(S.required(S.noteLabel));
      await act(() => api.note(caseId, text.value), S.noteAdded);
    });
    const s = section(S.noteTitle, 'note-panel', form);
    s.classList.add('note-panel');
    return s;
  }

  function transitionForm(c: CaseDetail): HTMLElement {
    if (c.next_states.length === 0) return section(S.transitionTitle, 'transition-panel', h('p', { class: 'empty' }, S.transitionNone));
    const to = select(choose(c.next_states.map((s) => [s, label(STATES, s)])), '', { testid: 'transition-to' });
    const reason = textArea('transition-reason', 2);
    const closure = select(choose(c.closure_reasons.map((r): [string, string] => [r, label(CLOSURE_REASONS, r)])), '', { testid: 'transition-closure' });
    const answer = select(choose(optionsOf(INQUIRY_ANSWERS)), '', { testid: 'transition-answer' });
    const closureField = field(S.transitionClosure, closure);
    const answerField = field(S.transitionAnswer, answer);
    const sync = () => {
      closureField.hidden = to.value !== 'closed';
      answerField.hidden = to.value !== 'answered';
    };
    to.addEventListener('change', sync);
    sync();
    const form = h('form', { class: 'stack' },
      field(S.transitionTo, to), closureField, answerField, field(S.transitionReason, reason),
      h('div', { class: 'actions' }, submit(S.transitionSubmit, 'transition-submit')));
    onSubmit(form, async () => {
      if (!to.value) return showError(S.required(S.transitionTo));
      const body: { to: string; reason: string; closure_reason?: string; inquiry_answer?: string } = { to: to.value, reason: reason.value };
      if (to.value === 'closed') {
        if (!closure.value) return showError(S.required(S.transitionClosure));
        body.closure_reason = closure.value;
      }
      if (to.value === 'answered') {
        if (!answer.value) return showError(S.required(S.transitionAnswer));
        body.inquiry_answer = answer.value;
      }
      await act(() => api.transition(caseId, body), S.transitionDone);
    });
    return section(S.transitionTitle, 'transition-panel', form);
  }

  function assignForm(c: CaseDetail): HTMLElement {
    const opts: [string, string][] = [['', S.unassigned], ...pickers.operators.map((o): [string, string] =>
      [String(o.id), `${o.username} (${label(ROLES, o.role)})`])];
    if (c.assignee && !pickers.operators.some((o) => o.id === c.assignee!.id)) opts.push([String(c.assignee.id), c.assignee.username]);
    const picker = select(opts, c.assignee ? String(c.assignee.id) : '', { testid: 'assign-select' });
    const me = h('button', { type: 'button', testid: 'assign-me' }, S.assigneeMe);
    onClick(me, () => act(() => api.assign(caseId, ctx.me.id), S.assignDone));
    const form = h('form', { class: 'stack' }, field(S.assignLabel, picker),
      h('div', { class: 'actions' }, submit(S.assignSubmit, 'assign-submit'), c.assignee?.id === ctx.me.id ? null : me));
    onSubmit(form, () => act(() => api.assign(caseId, picker.value ? Number(picker.value) : null), S.assignDone));
    return section(S.assignTitle, 'assign-panel', form);
  }

  function triageForm(c: CaseDetail): HTMLElement {
    const category = select(optionsOf(TRIAGE), c.triage, { testid: 'triage-category' });
    const form = h('form', { class: 'stack' }, field(S.triageCategory, category),
      h('div', { class: 'actions' }, submit(S.triageSubmit, 'triage-submit')));
    onSubmit(form, () => act(() => api.triage(caseId, category.value), S.triageDone));
    return section(S.triageTitle, 'triage-panel', form);
  }

  function suspectForm(c: CaseDetail): HTMLElement {
    const flag = h('input', { type: 'checkbox', testid: 'suspect-flag', id: 'suspect-flag' });
    flag.checked = c.suspect;
    const reason = h('input', { type: 'text', testid: 'suspect-reason' });
    const form = h('form', { class: 'stack' },
      h('div', { class: 'check' }, flag, h('label', { for: 'suspect-flag' }, S.suspectLabel)),
      field(S.suspectReason, reason),
      h('div', { class: 'actions' }, submit(S.suspectSubmit, 'suspect-submit')));
    onSubmit(form, () => act(() => api.suspect(caseId, flag.checked, reason.value), S.suspectDone));
    return section(S.suspectTitle, 'suspect-panel', form);
  }

  function handoffForm(c: CaseDetail): HTMLElement {
    const coordinator = select(choose(pickers.coordinators.map((u): [string, string] => [String(u.id), u.username])), '', { testid: 'handoff-coordinator' });
    const names = Object.keys(c.form ?? {});
    const boxes = names.map((name, i) => {
      const id = `handoff-field-${i}`;
      const box = h('input', { type: 'checkbox', id, value: name, testid: 'handoff-field', 'data-field': name });
      return h('div', { class: 'check' }, box, h('label', { for: id }, label(FIELDS, name)));
    });
    const fieldset = h('fieldset', { class: 'checks' }, h('legend', {}, S.handoffFields),
      ...(boxes.length ? boxes : [h('p', { class: 'empty' }, S.handoffNoFields)]));
    const note = textArea('handoff-note', 2);
    const form = h('form', { class: 'stack' },
      field(S.handoffCoordinator, coordinator, pickers.coordinators.length ? undefined : S.noCoordinators),
      fieldset, field(S.handoffNote, note),
      h('div', { class: 'actions' }, submit(S.handoffSubmit, 'handoff-submit')));
    onSubmit(form, async () => {
      if (!coordinator.value) return showError(S.required(S.handoffCoordinator));
      const fields = Array.from(form.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')).map((b) => b.value);
      await act(() => api.handoff(caseId, Number(coordinator.value), fields, note.value), S.handoffDone);
    });
    return section(S.handoffTitle, 'handoff-panel', form);
  }

  function render(c: CaseDetail, focusKey: string | null, keepDrafts = false): void {
    // A reload because someone else changed the case keeps what this operator is typing.
    const drafts = keepDrafts ? draftsIn(root) : new Map<string, string>();
    const heading = h('h1', { tabindex: -1 }, S.caseTitle(c.id), ' ',
      h('span', { class: `state state-${c.state}`, testid: 'case-state', 'data-state': c.state }, label(STATES, c.state)),
      c.suspect ? h('span', { class: 'badge warn' }, S.suspectBadge) : null);
    const view = h('article', { class: 'case-view', testid: 'case-view', 'data-case-id': c.id },
      h('p', { class: 'back' }, h('a', { href: href.cases, testid: 'back-to-cases' }, S.backToCases)),
      heading,
      h('div', { class: 'case-grid' },
        h('div', { class: 'case-main' },
          section(S.caseDetails, 'details-panel', details(c)),
          section(S.formTitle, 'form-panel', formFields(c)),
          section(S.messagesTitle, 'conversation-panel', conversation(c)),
          section(S.photosTitle, 'photos-panel', photos(c)),
          replyForm(),
          noteForm()),
        h('div', { class: 'case-side' },
          transitionForm(c),
          assignForm(c),
          triageForm(c),
          suspectForm(c),
          handoffForm(c),
          section(S.handoffsOfCase, 'handoffs-panel', handoffList(c)),
          section(S.historyTitle, 'history-panel', history(c, knownUsers(c, pickers))))));
    root.replaceChildren(view);
    restoreDrafts(root, drafts);
    const target = focusKey ? root.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focusKey)}"]`) : null;
    (target ?? heading).focus({ preventScroll: !!target });
  }

  async function load(focusKey: string | null, keepDrafts = false): Promise<void> {
    try {
      const c = await api.case(caseId, signal);
      if (!signal.aborted) render(c, focusKey, keepDrafts);
    } catch (e) {
      handleError(e);
    }
  }

  async function first(): Promise<void> {
    // The pickers are optional: the case shows even if they cannot be loaded.
    const [c] = await Promise.all([
      api.case(caseId, signal),
      api.operators(signal).then((r) => (pickers.operators = r.items), () => {}),
      api.coordinators(signal).then((r) => (pickers.coordinators = r.items), () => {}),
    ]);
    if (!signal.aborted) render(c, null);
  }

  // Someone changed the case (or its person wrote again): redraw it, keeping unsent text.
  subscribe(topic.case(caseId),
    () => void load(document.activeElement?.getAttribute('data-testid') ?? null, true), signal);
  first().catch((e) => {
    if (signal.aborted) return;
    root.replaceChildren(h('p', {}, h('a', { href: href.cases }, S.backToCases)));
    handleError(e);
  });
}

/** The text typed into the view's text boxes, by their test ids (empty ones left out). */
function draftsIn(root: HTMLElement): Map<string, string> {
  const drafts = new Map<string, string>();
  root.querySelectorAll<HTMLTextAreaElement | HTMLInputElement>('textarea[data-testid], input[type="text"][data-testid]')
    .forEach((el) => {
      if (el.value) drafts.set(el.dataset.testid ?? '', el.value);
    });
  return drafts;
}

function restoreDrafts(root: HTMLElement, drafts: Map<string, string>): void {
  for (const [testid, value] of drafts) {
    const el = root.querySelector<HTMLTextAreaElement | HTMLInputElement>(`[data-testid="${CSS.escape(testid)}"]`);
    if (el && (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) && !el.value) el.value = value;
  }
}
