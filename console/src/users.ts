// The administrator's screen (#/users): list, add, disable/enable, reset, queue skills.

import { api } from './api';
import { field, h, onClick, onSubmit, optionsOf, select, submit } from './dom';
import { formatTime } from './format';
import { subscribe, topic } from './live';
import { KINDS, label, LANGUAGES, ROLES, S } from './strings';
import type { NewAccount, Role, User, ViewContext } from './types';
import { clearError, clearStatus, handleError, showError, showStatus } from './ui';

/** Roles that take contacts from the queue (queue.take): only they have skills. */
const SKILLED_ROLES: Role[] = ['operator', 'supervisor'];

function skillsSummary(u: User): string {
  if (!SKILLED_ROLES.includes(u.role)) return S.skillsNone;
  const languages = u.skills.languages.map((l) => label(LANGUAGES, l)).join(', ') || S.skillsEveryLanguage;
  const kinds = u.skills.kinds.map((k) => label(KINDS, k)).join(', ') || S.skillsEveryKind;
  return S.skillsSummary(languages, kinds);
}

export function mountUsers(root: HTMLElement, ctx: ViewContext): void {
  const { signal } = ctx;
  document.title = `${S.usersTitle} — ${S.appTitle}`;

  // One-time credentials: shown once, outside the list so a reload keeps them.
  const credentials = h('section', { class: 'panel credentials', testid: 'new-credentials', hidden: true, 'aria-live': 'polite' });

  function showCredentials(username: string, acc: NewAccount): void {
    const title = h('h2', { tabindex: -1 }, S.credentialsTitle(username));
    const dismiss = h('button', { type: 'button', testid: 'credentials-dismiss' }, S.dismiss);
    dismiss.addEventListener('click', () => {
      credentials.replaceChildren();
      credentials.hidden = true;
    });
    credentials.replaceChildren(
      title,
      h('p', {}, S.credentialsIntro),
      h('dl', { class: 'facts' },
        h('dt', {}, S.oneTimePassword), h('dd', {}, h('code', { testid: 'new-one-time-password' }, acc.one_time_password)),
        h('dt', {}, S.recoveryKey), h('dd', {}, h('code', { testid: 'new-recovery-key' }, acc.recovery_key))),
      h('div', { class: 'actions' }, dismiss));
    credentials.hidden = false;
    clearStatus();
    title.focus();
  }

  // Add a user.
  const username = h('input', { type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', testid: 'user-username' });
  const role = select(optionsOf(ROLES), 'operator', { testid: 'user-role' });
  const addForm = h('form', { class: 'inline-form' },
    field(S.username, username), field(S.role, role),
    h('div', { class: 'actions' }, submit(S.addUserSubmit, 'user-add-submit')));
  onSubmit(addForm, async () => {
    const name = username.value.trim();
    if (!name) return showError(S.required(S.username));
    let acc: NewAccount;
    try {
      acc = await api.addUser(name, role.value);
    } catch (e) {
      return handleError(e);
    }
    clearError();
    username.value = '';
    showCredentials(name, acc);
    await load();
  });

  const tbody = h('tbody', {});
  const table = h('table', { class: 'users', testid: 'user-list' },
    h('caption', { class: 'visually-hidden' }, S.usersTitle),
    h('thead', {}, h('tr', {}, ...[S.colUser, S.colRole, S.colStatus, S.colTotp, S.colSkills, S.created, S.colActions].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);

  const COLUMNS = 7;

  /** The skills editor, in a row of its own under the user's row: a box per language and kind. */
  function skillsEditor(u: User, after: HTMLTableRowElement, opener: HTMLButtonElement): void {
    tbody.querySelector('[data-testid="user-skills-editor"]')?.remove();
    const boxes = (table: Record<string, string>, chosen: string[], kind: 'language' | 'kind') =>
      Object.entries(table).map(([code, text]) => {
        const id = `skill-${kind}-${u.id}-${code}`;
        const box = h('input', { type: 'checkbox', id, value: code, testid: `skill-${kind}`, 'data-code': code });
        box.checked = chosen.includes(code);
        return h('div', { class: 'check' }, box, h('label', { for: id }, text));
      });
    const languages = h('fieldset', { class: 'checks', testid: 'skill-languages' }, h('legend', {}, S.skillsLanguages),
      ...boxes(LANGUAGES, u.skills.languages, 'language'));
    const kinds = h('fieldset', { class: 'checks', testid: 'skill-kinds' }, h('legend', {}, S.skillsKinds),
      ...boxes(KINDS, u.skills.kinds, 'kind'));
    const cancel = h('button', { type: 'button', testid: 'user-skills-cancel' }, S.skillsCancel);
    const title = h('h2', { tabindex: -1 }, S.skillsTitle(u.username));
    const form = h('form', { class: 'stack', 'aria-label': S.skillsTitle(u.username) },
      title, languages, kinds, h('p', { class: 'hint' }, S.skillsHint),
      h('div', { class: 'actions' }, submit(S.skillsSave, 'user-skills-save'), cancel));
    const editor = h('tr', { testid: 'user-skills-editor', 'data-user-id': u.id },
      h('td', { colspan: COLUMNS }, form));
    const close = () => {
      editor.remove();
      opener.focus();
    };
    cancel.addEventListener('click', close);
    const checked = (set: HTMLElement) =>
      Array.from(set.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')).map((b) => b.value);
    onSubmit(form, async () => {
      try {
        await api.setSkills(u.id, { languages: checked(languages), kinds: checked(kinds) });
      } catch (e) {
        return handleError(e);
      }
      clearError();
      showStatus(S.skillsSaved);
      await load();
    });
    after.after(editor);
    title.focus();
  }

  function row(u: User): HTMLTableRowElement {
    const toggle = u.disabled
      ? h('button', { type: 'button', testid: 'user-enable' }, S.enable)
      : h('button', { type: 'button', testid: 'user-disable' }, S.disable);
    onClick(toggle, async () => {
      try {
        if (u.disabled) await api.enableUser(u.id);
        else await api.disableUser(u.id);
      } catch (e) {
        return handleError(e);
      }
      showStatus(u.disabled ? S.userEnabledDone : S.userDisabledDone);
      await load();
    });
    const reset = h('button', { type: 'button', testid: 'user-reset', title: S.resetHint }, S.reset);
    onClick(reset, async () => {
      let acc: NewAccount;
      try {
        acc = await api.resetUser(u.id);
      } catch (e) {
        return handleError(e);
      }
      clearError();
      showCredentials(u.username, acc);
      await load();
    });
    const status = [u.disabled ? S.userDisabled : S.userActive, u.must_change_password ? S.userMustChange : null]
      .filter(Boolean).join(', ');
    const skilled = SKILLED_ROLES.includes(u.role);
    const editSkills = skilled
      ? h('button', { type: 'button', testid: 'user-skills-edit', title: S.skillsEditHint }, S.skillsEdit)
      : null;
    const tr = h('tr', { testid: 'user-row', 'data-user-id': u.id, 'data-username': u.username, class: u.disabled ? 'disabled' : null },
      h('th', { scope: 'row' }, u.username),
      h('td', {}, label(ROLES, u.role)),
      h('td', { testid: 'user-status', 'data-disabled': String(u.disabled) }, status),
      h('td', {}, u.totp_enabled ? S.totpOn : S.totpOff),
      h('td', {
        testid: 'user-skills',
        'data-languages': skilled ? u.skills.languages.join(',') : null,
        'data-kinds': skilled ? u.skills.kinds.join(',') : null,
      }, skillsSummary(u)),
      h('td', {}, formatTime(u.created_at)),
      h('td', { class: 'row-actions' }, toggle, reset, editSkills));
    if (editSkills) editSkills.addEventListener('click', () => skillsEditor(u, tr, editSkills));
    return tr;
  }

  const empty = h('p', { class: 'empty', hidden: true }, S.noUsers);

  async function load(): Promise<void> {
    try {
      const res = await api.users(signal);
      if (signal.aborted) return;
      tbody.replaceChildren(...res.items.map(row));
      empty.hidden = res.items.length > 0;
    } catch (e) {
      handleError(e);
    }
  }

  const heading = h('h1', { tabindex: -1 }, S.usersTitle);
  root.replaceChildren(h('section', { class: 'users-view' },
    heading,
    credentials,
    h('section', { class: 'panel' }, h('h2', {}, S.addUserTitle), addForm),
    h('div', { class: 'table-wrap' }, table),
    empty));
  heading.focus();

  subscribe(topic.users, () => void load(), signal);
  void load();
}
