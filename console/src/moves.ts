// Moving a contact on the queue screen: transfer (to an operator, or to a language and kind),
// callback, and abandon after a confirmation. Which moves a contact offers follows the API
// (src/api/queue_api.cpp): an operator transfers what is offered or connected to him, and marks
// what is offered to him or still waiting as a callback or as abandoned; a supervisor
// (queue.manage) also transfers waiting contacts. A callback request can be neither abandoned nor
// called back again (no one is on the line); a connected contact is only transferred (or
// completed). A refused move is shown next to the contact, not in the page's banner.

import { api, ApiError, isAbort } from './api';
import { field, h, onClick, onSubmit, select, submit, uid } from './dom';
import { KINDS, label, LANGUAGES, ROLES, S } from './strings';
import type { Me, QueueEntry } from './types';
import { clearStatus, handleError, showStatus } from './ui';

/** Where the contact is shown: offered to me, connected to me, or in the waiting line. */
export type Place = 'offer' | 'active' | 'waiting';

/** One contact's controls: buttons for its action row, and the panels and error shown below. */
export interface Moves {
  buttons: HTMLButtonElement[];
  panels: HTMLElement;
}

export interface MovesContext {
  me: Me;
  signal: AbortSignal;
  /** Reloads the screen after a move, and after a refused one (the contact may have moved meanwhile). */
  reload: () => Promise<void>;
}

function allowedMoves(e: QueueEntry, place: Place, me: Me): { transfer: boolean; callback: boolean; abandon: boolean } {
  const onTheLine = !e.callback;
  switch (place) {
    case 'offer':
      return { transfer: true, callback: onTheLine, abandon: onTheLine };
    case 'active':
      return { transfer: true, callback: false, abandon: false };
    case 'waiting':
      return { transfer: me.role === 'supervisor', callback: onTheLine, abandon: onTheLine };
  }
}

function messageOf(e: unknown): string {
  if (e instanceof ApiError || e instanceof Error) return e.message;
  return String(e);
}

/**
 * A contact's moves. They hold what the person does with them (an open panel, what was chosen in
 * it, a refused move's message), so the queue screen keeps them, with the contact's row, across
 * reloads under movesKey() rather than building them again.
 */
export function makeMoves(e: QueueEntry, place: Place, ctx: MovesContext): Moves {
  const can = allowedMoves(e, place, ctx.me);
  const buttons: HTMLButtonElement[] = [];
  const error = h('p', { class: 'entry-error', role: 'alert', testid: 'entry-error', hidden: true });
  const panels = h('div', { class: 'entry-moves', testid: 'entry-moves' });
  const closers: (() => void)[] = [];
  const closeAll = () => closers.forEach((close) => close());

  function showInline(message: string): void {
    error.textContent = message;
    error.hidden = false;
  }

  /** Runs a move; the screen reloads either way. */
  async function run(call: () => Promise<unknown>, done: string): Promise<void> {
    error.hidden = true;
    error.textContent = '';
    try {
      await call();
    } catch (err) {
      if (isAbort(err)) return;
      clearStatus();
      showInline(S.moveFailed(messageOf(err)));
      await ctx.reload();
      // The contact is no longer on the screen (taken, finished): say it in the banner instead.
      if (!panels.isConnected) handleError(err);
      return;
    }
    closeAll();
    showStatus(done);
    await ctx.reload();
  }

  /** A button that opens a panel (and closes the others). */
  function toggle(text: string, testid: string, panel: HTMLElement, onOpen: () => void): HTMLButtonElement {
    const btn = h('button', { type: 'button', testid, 'aria-expanded': 'false', 'aria-controls': panel.id }, text);
    closers.push(() => {
      panel.hidden = true;
      btn.setAttribute('aria-expanded', 'false');
    });
    btn.addEventListener('click', () => {
      const open = panel.hidden;
      closeAll();
      if (!open) return;
      panel.hidden = false;
      btn.setAttribute('aria-expanded', 'true');
      onOpen();
    });
    return btn;
  }

  if (can.transfer) {
    const operator = select([['', S.transferChoose]], '', { testid: 'transfer-operator' });
    const toOperator = h('form', { testid: 'transfer-operator-form' },
      h('fieldset', { class: 'move-choice' }, h('legend', {}, S.transferToOperator),
        h('div', { class: 'inline-form' }, field(S.transferOperator, operator, S.transferOperatorHint),
          submit(S.transferToOperatorSubmit, 'transfer-operator-submit'))));
    const language = select(Object.entries(LANGUAGES), e.language, { testid: 'transfer-language' });
    const kind = select(Object.entries(KINDS), e.kind, { testid: 'transfer-kind' });
    const toSkill = h('form', { testid: 'transfer-skill-form' },
      h('fieldset', { class: 'move-choice' }, h('legend', {}, S.transferToSkill),
        h('div', { class: 'inline-form' }, field(S.transferLanguage, language), field(S.transferKind, kind),
          submit(S.transferToSkillSubmit, 'transfer-skill-submit'))));
    const cancel = h('button', { type: 'button', testid: 'transfer-cancel' }, S.cancel);
    const panel = h('div', { class: 'move-panel', id: uid('transfer'), testid: 'transfer-panel', role: 'group',
      'aria-label': S.transferTitle, hidden: true },
    h('h3', {}, S.transferTitle), toOperator, toSkill, h('div', { class: 'actions' }, cancel));
    const opener = toggle(S.transfer, 'entry-transfer', panel, () => {
      operator.focus();
      void fillOperators();
    });

    // Everyone who may take queue contacts (GET /operators), fresh each time the panel opens.
    async function fillOperators(): Promise<void> {
      try {
        const r = await api.operators(ctx.signal);
        const others = r.items.filter((o) => o.id !== e.operator_id && (place === 'waiting' || o.id !== ctx.me.id));
        const before = operator.value;
        operator.replaceChildren(...(others.length ? [['', S.transferChoose], ...others.map((o): [string, string] =>
          [String(o.id), S.transferOperatorOption(o.username, o.role === 'operator' ? null : label(ROLES, o.role))])]
          : [['', S.transferNoOperators]]).map(([v, text]) => h('option', { value: v }, text)));
        if (others.some((o) => String(o.id) === before)) operator.value = before;
      } catch (err) {
        if (!isAbort(err)) showInline(S.moveFailed(messageOf(err)));
      }
    }

    onSubmit(toOperator, async () => {
      if (!operator.value) {
        showInline(S.transferChooseOperator);
        operator.focus();
        return;
      }
      await run(() => api.transferEntry(e.id, { operator_id: Number(operator.value) }), S.transferred);
    });
    onSubmit(toSkill, () => run(() => api.transferEntry(e.id, { language: language.value, kind: kind.value }), S.transferred));
    cancel.addEventListener('click', () => {
      closeAll();
      opener.focus();
    });
    buttons.push(opener);
    panels.append(panel);
  }

  if (can.callback) {
    const callback = h('button', { type: 'button', testid: 'entry-callback', title: S.callbackHint }, S.callback);
    onClick(callback, () => run(() => api.callbackEntry(e.id), S.calledBack));
    buttons.push(callback);
  }

  if (can.abandon) {
    const questionId = uid('abandon-q');
    const yes = h('button', { type: 'button', class: 'danger', testid: 'abandon-yes' }, S.abandonYes);
    const no = h('button', { type: 'button', testid: 'abandon-no' }, S.abandonNo);
    const confirm = h('div', { class: 'move-panel confirm', id: uid('abandon'), testid: 'abandon-confirm', role: 'group',
      'aria-labelledby': questionId, hidden: true },
    h('p', { id: questionId }, S.abandonQuestion), h('div', { class: 'actions' }, yes, no));
    const opener = toggle(S.abandon, 'entry-abandon', confirm, () => no.focus());
    onClick(yes, () => run(() => api.abandonEntry(e.id), S.abandonedDone));
    no.addEventListener('click', () => {
      closeAll();
      opener.focus();
    });
    buttons.push(opener);
    panels.append(confirm);
  }

  panels.append(error);
  return { buttons, panels };
}

/**
 * While this stays the same the contact's moves (and row) stay: the same contact in the same
 * place and state, with the same operator and case. A change starts afresh (an open panel
 * closes), since the moves allowed and their targets (and the row's case link) may differ.
 */
export function movesKey(e: QueueEntry, place: Place): string {
  return `${place}:${e.id}:${e.state}:${e.callback}:${e.operator_id}:${e.case_id}`;
}

/** Re-renders without losing the keyboard focus when the focused control is put back. */
export function keepFocus(render: () => void): void {
  const focused = document.activeElement;
  render();
  if (focused instanceof HTMLElement && focused.isConnected && document.activeElement !== focused) focused.focus();
}
