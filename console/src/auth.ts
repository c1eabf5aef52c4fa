// Login and its stages: password → (password_change) → totp_enrol | totp_verify → active.

import { api, ApiError } from './api';
import { field, h, onSubmit, submit } from './dom';
import { S } from './strings';
import type { Stage } from './types';
import { clearError, handleError, showError } from './ui';

const MIN_PASSWORD = 12;

/**
 * The one-time password typed at login, kept in memory only to prefill the
 * "current password" of the password change that follows. Cleared after it.
 */
let oneTimePassword = '';

export interface AuthHost {
  /** Where the screens are drawn. */
  root: HTMLElement;
  /** Called when the session reaches stage "active". */
  onActive: () => void;
}

function screen(host: AuthHost, title: string, intro: string | null, ...body: HTMLElement[]): void {
  const heading = h('h1', { id: 'auth-title', tabindex: -1 }, title);
  host.root.replaceChildren(
    h('section', { class: 'auth card', 'aria-labelledby': 'auth-title' },
      heading,
      intro ? h('p', {}, intro) : null,
      ...body),
  );
  document.title = `${title} — ${S.appTitle}`;
  // Put the cursor in the first empty input, otherwise on the heading.
  const inputs = Array.from(host.root.querySelectorAll<HTMLInputElement>('input'));
  (inputs.find((i) => !i.value) ?? heading).focus();
}

function goTo(host: AuthHost, stage: Stage): void {
  switch (stage) {
    case 'password_change': return passwordScreen(host);
    case 'totp_enrol': return enrolScreen(host);
    case 'totp_verify': return verifyScreen(host);
    case 'active':
      oneTimePassword = '';
      return host.onActive();
    default:
      showError(String(stage));
  }
}

/** Shows the login form, or the screen of an unfinished stage (after a reload). */
export function showAuth(host: AuthHost, stage: Stage | null): void {
  if (stage) goTo(host, stage);
  else loginScreen(host);
}

/**
 * A stage request failed with 401: either a wrong password/code (session still
 * alive: stay) or the session is gone (back to the login form). /me tells which.
 */
async function afterStageError(host: AuthHost, e: unknown): Promise<void> {
  handleError(e);
  if (!(e instanceof ApiError) || e.status !== 401) return;
  try {
    await api.me();
  } catch (e2) {
    if (e2 instanceof ApiError && e2.status === 401) loginScreen(host);
  }
}

function restartButton(host: AuthHost): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'link', testid: 'auth-restart' }, S.startOver);
  b.addEventListener('click', async () => {
    try {
      await api.logout();
    } catch {
      // The session may already be gone; the login form is what we want anyway.
    }
    oneTimePassword = '';
    clearError();
    loginScreen(host);
  });
  return b;
}

function loginScreen(host: AuthHost): void {
  const username = h('input', { type: 'text', name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true, testid: 'login-username' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, testid: 'login-password' });
  const form = h('form', { class: 'stack' },
    field(S.username, username),
    field(S.password, password),
    h('div', { class: 'actions' }, submit(S.loginSubmit, 'login-submit')));
  onSubmit(form, async () => {
    const u = username.value.trim();
    if (!u) return showError(S.required(S.username));
    if (!password.value) return showError(S.required(S.password));
    try {
      const res = await api.login(u, password.value);
      clearError();
      oneTimePassword = res.stage === 'password_change' ? password.value : '';
      goTo(host, res.stage);
    } catch (e) {
      handleError(e);
      password.value = '';
      password.focus();
    }
  });
  screen(host, S.loginTitle, null, form);
}

function passwordScreen(host: AuthHost): void {
  const current = h('input', { type: 'password', name: 'current-password', autocomplete: 'current-password', required: true, testid: 'current-password' });
  current.value = oneTimePassword;
  const next = h('input', { type: 'password', name: 'new-password', autocomplete: 'new-password', required: true, minlength: MIN_PASSWORD, testid: 'new-password' });
  const form = h('form', { class: 'stack' },
    field(S.currentPassword, current),
    field(S.newPassword, next, S.newPasswordHint(MIN_PASSWORD)),
    h('div', { class: 'actions' }, submit(S.passwordSubmit, 'password-submit'), restartButton(host)));
  onSubmit(form, async () => {
    if (!current.value) return showError(S.required(S.currentPassword));
    if ([...next.value].length < MIN_PASSWORD) {
      next.focus();
      return showError(S.passwordTooShort(MIN_PASSWORD));
    }
    try {
      const res = await api.changePassword(current.value, next.value);
      clearError();
      oneTimePassword = '';
      goTo(host, res.stage);
    } catch (e) {
      await afterStageError(host, e);
    }
  });
  screen(host, S.passwordTitle, S.passwordIntro, form);
}

/** The QR code as a data: URL (the API sends the SVG document as text). */
function svgDataUrl(svg: string): string {
  const s = svg.trim();
  if (s.startsWith('data:image/')) return s;
  if (!s.startsWith('<')) return 'data:image/svg+xml;base64,' + s; // already base64
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return 'data:image/svg+xml;base64,' + btoa(bin);
}

function codeForm(host: AuthHost, submitText: string, send: (code: string) => Promise<{ stage: Stage }>): HTMLFormElement {
  const code = h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 10, required: true, class: 'code-input', testid: 'totp-code' });
  const form = h('form', { class: 'stack' },
    field(S.totpCode, code),
    h('div', { class: 'actions' }, submit(submitText, 'totp-submit'), restartButton(host)));
  onSubmit(form, async () => {
    const value = code.value.replace(/\s+/g, '');
    if (!value) return showError(S.required(S.totpCode));
    try {
      const res = await send(value);
      clearError();
      goTo(host, res.stage);
    } catch (e) {
      code.value = '';
      code.focus();
      await afterStageError(host, e);
    }
  });
  return form;
}

function enrolScreen(host: AuthHost): void {
  const qrBox = h('div', { class: 'totp-enrol' }, h('p', {}, S.loading));
  screen(host, S.totpEnrolTitle, S.totpEnrolIntro, qrBox, codeForm(host, S.totpConfirmSubmit, api.totpConfirm));
  api.totpEnrol().then(
    (e) => {
      const img = h('img', { class: 'qr', alt: S.totpQrAlt, width: 240, height: 240, testid: 'totp-qr' });
      img.src = svgDataUrl(e.qr_svg);
      qrBox.replaceChildren(
        img,
        h('p', { class: 'secret' },
          h('span', {}, S.totpSecret + ': '),
          h('code', { testid: 'totp-secret' }, e.secret)),
      );
    },
    (err) => {
      qrBox.replaceChildren();
      void afterStageError(host, err);
    },
  );
}

function verifyScreen(host: AuthHost): void {
  screen(host, S.totpVerifyTitle, S.totpVerifyIntro, codeForm(host, S.totpVerifySubmit, api.totpVerify));
}
