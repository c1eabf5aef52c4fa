// The JSON API client. Same origin; the session cookie is HttpOnly and never
// seen here. Every non-GET request carries the CSRF token and a JSON body.

import { S } from './strings';
import type { CaseDetail, CaseFilter, CasePage, CaseSummary, FiledReport, Handoff, Items, LoginResponse, Me, NewAccount, Operator, OperatorState, Page, Presence, QueueActive, QueueMine, QueueWaiting, StageResponse, TotpEnrolment, TransferTarget, User, UserRef, Wallboard } from './types';

const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

let csrfToken = '';
let onUnauthenticated: (e: ApiError) => void = () => {};
let onLoginIncomplete: (e: ApiError) => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called on a 401 from any request that is not part of the login flow. */
export function setUnauthenticatedHandler(fn: (e: ApiError) => void): void {
  onUnauthenticated = fn;
}

/** Called on a 403 login_incomplete: the session still has a login stage to finish. */
export function setLoginIncompleteHandler(fn: (e: ApiError) => void): void {
  onLoginIncomplete = fn;
}

interface Options {
  body?: unknown;
  signal?: AbortSignal;
  /** Part of the login flow: a 401 means a wrong password or code, not an ended session. */
  authFlow?: boolean;
}

async function request<T>(method: string, path: string, opts: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = csrfToken;
    body = JSON.stringify(opts.body ?? {});
  }
  let res: Response;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
      signal: opts.signal,
    });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiError(0, 'network', S.networkError);
  }

  let data: unknown = undefined;
  if (res.status !== 204) {
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
  }

  if (!res.ok) {
    const err = (data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const e = new ApiError(
      res.status,
      typeof err?.code === 'string' ? err.code : 'http_' + res.status,
      typeof err?.message === 'string' && err.message ? err.message : S.httpError(res.status),
    );
    if (res.status === 401 && !opts.authFlow) onUnauthenticated(e);
    if (res.status === 403 && e.code === 'login_incomplete') onLoginIncomplete(e);
    throw e;
  }

  // A response that carries a (possibly rotated) CSRF token updates ours.
  const token = (data as { csrf_token?: unknown } | undefined)?.csrf_token;
  if (typeof token === 'string' && token) csrfToken = token;
  return data as T;
}

function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

const id = (n: number) => encodeURIComponent(String(n));

export const api = {
  // Auth
  login: (username: string, password: string) =>
    request<LoginResponse>('POST', '/auth/login', { body: { username, password }, authFlow: true }),
  me: (signal?: AbortSignal) => request<Me>('GET', '/me', { signal, authFlow: true }),
  changePassword: (current_password: string, new_password: string) =>
    request<StageResponse>('POST', '/auth/password', { body: { current_password, new_password }, authFlow: true }),
  totpEnrol: () => request<TotpEnrolment>('POST', '/auth/totp/enrol', { authFlow: true }),
  totpConfirm: (code: string) => request<StageResponse>('POST', '/auth/totp/confirm', { body: { code }, authFlow: true }),
  totpVerify: (code: string) => request<StageResponse>('POST', '/auth/totp/verify', { body: { code }, authFlow: true }),
  logout: () => request<void>('POST', '/auth/logout', { authFlow: true }),

  // Cases
  cases: (f: CaseFilter, cursor: string | null, signal?: AbortSignal) =>
    request<CasePage>('GET', '/cases' + query({ ...f, limit: 50, cursor }), { signal }),
  fileReport: (body: { kind: string; language: string; fields: Record<string, string> }) =>
    request<FiledReport>('POST', '/cases', { body }),
  case: (caseId: number, signal?: AbortSignal) => request<CaseDetail>('GET', `/cases/${id(caseId)}`, { signal }),
  /** The case a receipt opens (read out on the phone); the receipt goes in the body only. */
  lookup: (receipt: string) => request<CaseSummary>('POST', '/cases/lookup', { body: { receipt } }),
  reply: (caseId: number, text: string) => request<unknown>('POST', `/cases/${id(caseId)}/reply`, { body: { text } }),
  note: (caseId: number, text: string) => request<unknown>('POST', `/cases/${id(caseId)}/notes`, { body: { text } }),
  transition: (caseId: number, body: { to: string; reason: string; closure_reason?: string; inquiry_answer?: string }) =>
    request<unknown>('POST', `/cases/${id(caseId)}/transition`, { body }),
  triage: (caseId: number, category: string) =>
    request<unknown>('POST', `/cases/${id(caseId)}/triage`, { body: { category } }),
  suspect: (caseId: number, suspect: boolean, reason: string) =>
    request<unknown>('POST', `/cases/${id(caseId)}/suspect`, { body: { suspect, reason } }),
  assign: (caseId: number, user_id: number | null) =>
    request<unknown>('POST', `/cases/${id(caseId)}/assign`, { body: { user_id } }),
  handoff: (caseId: number, coordinator_id: number, fields: string[], note: string) =>
    request<unknown>('POST', `/cases/${id(caseId)}/handoff`, { body: { coordinator_id, fields, note } }),
  operators: (signal?: AbortSignal) => request<Items<Operator>>('GET', '/operators', { signal }),
  coordinators: (signal?: AbortSignal) => request<Items<UserRef>>('GET', '/coordinators', { signal }),

  // Hand-offs (coordinator)
  handoffs: (cursor: string | null, signal?: AbortSignal) =>
    request<Page<Handoff>>('GET', '/handoffs' + query({ limit: 50, cursor }), { signal }),
  outcome: (handoffId: number, outcome: string, note: string) =>
    request<unknown>('POST', `/handoffs/${id(handoffId)}/outcome`, { body: { outcome, note } }),

  // Queue (operators, supervisors) and wallboard (supervisors, administrators)
  queueMine: (signal?: AbortSignal) => request<QueueMine>('GET', '/queue/mine', { signal }),
  queueActive: (signal?: AbortSignal) => request<QueueActive>('GET', '/queue/active', { signal }),
  queueWaiting: (signal?: AbortSignal) => request<QueueWaiting>('GET', '/queue/waiting', { signal }),
  setPresence: (presence: Presence) => request<OperatorState>('POST', '/queue/presence', { body: { presence } }),
  acceptEntry: (entryId: number) => request<unknown>('POST', `/queue/entries/${id(entryId)}/accept`),
  rejectEntry: (entryId: number) => request<unknown>('POST', `/queue/entries/${id(entryId)}/reject`),
  completeEntry: (entryId: number) => request<unknown>('POST', `/queue/entries/${id(entryId)}/complete`),
  abandonEntry: (entryId: number) => request<unknown>('POST', `/queue/entries/${id(entryId)}/abandon`),
  callbackEntry: (entryId: number) => request<unknown>('POST', `/queue/entries/${id(entryId)}/callback`),
  transferEntry: (entryId: number, to: TransferTarget) =>
    request<unknown>('POST', `/queue/entries/${id(entryId)}/transfer`, { body: to }),
  wallboard: (signal?: AbortSignal) => request<Wallboard>('GET', '/wallboard', { signal }),

  // Users (admin)
  users: (signal?: AbortSignal) => request<Items<User>>('GET', '/users', { signal }),
  addUser: (username: string, role: string) => request<NewAccount>('POST', '/users', { body: { username, role } }),
  disableUser: (userId: number) => request<void>('POST', `/users/${id(userId)}/disable`),
  enableUser: (userId: number) => request<void>('POST', `/users/${id(userId)}/enable`),
  resetUser: (userId: number) => request<NewAccount>('POST', `/users/${id(userId)}/reset`),
  setSkills: (userId: number, skills: User['skills']) =>
    request<User>('PUT', `/users/${id(userId)}/skills`, { body: skills }),
};
