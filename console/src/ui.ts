// The error banner and the status line, shared by every screen.

import { ApiError, isAbort } from './api';
import { h } from './dom';
import { S } from './strings';

const errorText = h('p', { class: 'banner-text', testid: 'error-text' });
const dismiss = h('button', { type: 'button', class: 'link', testid: 'error-dismiss' }, S.dismiss);
export const errorBanner = h('div', { class: 'banner error', role: 'alert', testid: 'error', hidden: true }, errorText, dismiss);
export const statusLine = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', testid: 'status' });

dismiss.addEventListener('click', () => clearError());

export function showError(message: string): void {
  errorText.textContent = message;
  errorBanner.hidden = false;
  statusLine.textContent = '';
}

export function clearError(): void {
  errorText.textContent = '';
  errorBanner.hidden = true;
}

/** Reports a failed request; aborted requests (the user navigated away) are ignored. */
export function handleError(e: unknown): void {
  if (isAbort(e)) return;
  if (e instanceof ApiError) showError(e.message);
  else if (e instanceof Error) showError(e.message);
  else showError(String(e));
}

let statusTimer = 0;
/** A short confirmation read out by screen readers; clears itself. */
export function showStatus(message: string): void {
  clearError();
  statusLine.textContent = message;
  window.clearTimeout(statusTimer);
  statusTimer = window.setTimeout(() => (statusLine.textContent = ''), 6000);
}

export function clearStatus(): void {
  statusLine.textContent = '';
}
