// Entry point: the page shell, the session and the routes.

import './style.css';
import { offerBanner, startOfferAlert, stopOfferAlert } from './alert';
import { api, ApiError, setCsrfToken, setLoginIncompleteHandler, setUnauthenticatedHandler } from './api';
import { showAuth } from './auth';
import { mountCase } from './case';
import { mountCases, resetCaseFilter } from './cases';
import { h } from './dom';
import { mountHandoffs } from './handoffs';
import { connect, disconnect, liveState, subscribe, topic } from './live';
import { mountQueue } from './queue';
import { mountReport } from './report';
import { currentRoute, href, navigate, type Route } from './router';
import { label, ROLES, S } from './strings';
import type { Me, Role, ViewContext } from './types';
import { clearError, clearStatus, errorBanner, handleError, showError, statusLine } from './ui';
import { mountUsers } from './users';
import { mountWallboard } from './wallboard';

// ---- Shell -----------------------------------------------------------------

const app = document.getElementById('app')!;
const nav = h('nav', { class: 'nav', 'aria-label': S.nav });
const whoami = h('span', { class: 'whoami', testid: 'whoami' });
const logoutButton = h('button', { type: 'button', class: 'link', testid: 'logout' }, S.logout);
const live = h('span', { class: 'live', testid: 'live-status', 'data-state': 'off', hidden: true });
const header = h('header', { class: 'topbar', hidden: true },
  h('span', { class: 'brand' }, S.appName), nav, h('div', { class: 'user' }, live, whoami, logoutButton));
const view = h('div', { class: 'view' });
const main = h('main', { id: 'main', tabindex: -1 }, offerBanner, errorBanner, statusLine, view);
const skip = h('button', { type: 'button', class: 'skip-link' }, S.skipToContent);
skip.addEventListener('click', () => main.focus());
app.replaceChildren(skip, header, main);

// ---- Session ---------------------------------------------------------------

let session: Me | null = null;
let routeController: AbortController | null = null;

// Queue: queue.take (operators, supervisors); wallboard: wallboard.read (supervisors, administrators).
const screensByRole: Record<Role, Route['name'][]> = {
  operator: ['cases', 'case', 'report', 'queue'],
  supervisor: ['cases', 'case', 'report', 'queue', 'wallboard'],
  coordinator: ['handoffs'],
  admin: ['users', 'wallboard'],
};

const navByRole: Record<Role, [string, string, Route['name'][]][]> = {
  operator: [[href.cases, S.navCases, ['cases', 'case', 'report']], [href.queue, S.navQueue, ['queue']]],
  supervisor: [[href.cases, S.navCases, ['cases', 'case', 'report']], [href.queue, S.navQueue, ['queue']],
    [href.wallboard, S.navWallboard, ['wallboard']]],
  coordinator: [[href.handoffs, S.navHandoffs, ['handoffs']]],
  admin: [[href.users, S.navUsers, ['users']], [href.wallboard, S.navWallboard, ['wallboard']]],
};

/** Roles whose sessions open the event stream (queue.take or wallboard.read). */
// Every role hears something: its queue, the wallboard, case changes or its hand-offs.
const liveRoles: Role[] = ['operator', 'supervisor', 'admin', 'coordinator'];
/** Roles that are offered contacts (queue.take). */
const queueRoles: Role[] = ['operator', 'supervisor'];

function showLive(): void {
  const state = liveState();
  live.hidden = state === 'off';
  live.setAttribute('data-state', state);
  live.textContent = state === 'connected' ? S.liveConnected : S.liveConnecting;
  live.title = state === 'connected' ? S.liveConnectedTitle : S.liveConnectingTitle;
}
subscribe(topic.connection, showLive, new AbortController().signal);

function homeOf(role: Role): string {
  return { operator: href.cases, supervisor: href.cases, coordinator: href.handoffs, admin: href.users }[role] ?? href.cases;
}

function showLogin(stage: Me['stage'] | null = null): void {
  header.hidden = true;
  routeController?.abort();
  routeController = null;
  showAuth({ root: view, onActive: () => void enterApp() }, stage);
}

function endSession(): void {
  session = null;
  setCsrfToken('');
  disconnect();
  stopOfferAlert();
  resetCaseFilter();
}

async function enterApp(known?: Me): Promise<void> {
  let me: Me;
  try {
    me = known ?? (await api.me());
  } catch (e) {
    handleError(e);
    return showLogin();
  }
  if (me.stage !== 'active') return showLogin(me.stage);
  session = me;
  whoami.textContent = S.whoami(me.username, label(ROLES, me.role));
  nav.replaceChildren(...(navByRole[me.role] ?? []).map(([to, text]) => h('a', { href: to, testid: 'nav-' + to.slice(2) }, text)));
  header.hidden = false;
  if (liveRoles.includes(me.role)) {
    connect(() => {
      if (!session) return;
      endSession();
      showLogin();
      showError(S.sessionEnded);
    });
  }
  if (queueRoles.includes(me.role)) startOfferAlert();
  renderRoute();
}

setUnauthenticatedHandler(() => {
  if (!session) return;
  endSession();
  showLogin();
  showError(S.sessionEnded);
});

setLoginIncompleteHandler(() => {
  endSession();
  void start();
});

logoutButton.addEventListener('click', async () => {
  try {
    await api.logout();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) handleError(e);
  }
  endSession();
  clearStatus();
  showLogin();
});

// ---- Routes ----------------------------------------------------------------

function renderRoute(): void {
  if (!session) return;
  const me = session;
  const route = currentRoute();
  const allowed = screensByRole[me.role] ?? [];
  if (route.name === 'home' || route.name === 'unknown' || (route.name !== 'bad_case' && !allowed.includes(route.name))) {
    const home = homeOf(me.role);
    if (location.hash !== home) return navigate(home);
  }

  routeController?.abort();
  routeController = new AbortController();
  clearError();
  for (const a of Array.from(nav.querySelectorAll('a'))) {
    const entry = navByRole[me.role]?.find(([to]) => to === a.getAttribute('href'));
    if (entry?.[2].includes(route.name)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }

  const ctx: ViewContext = { me, signal: routeController.signal };
  switch (route.name) {
    case 'cases': return mountCases(view, ctx);
    case 'case': return mountCase(view, ctx, route.id);
    case 'report': return mountReport(view, ctx);
    case 'handoffs': return mountHandoffs(view, ctx);
    case 'users': return mountUsers(view, ctx);
    case 'queue': return mountQueue(view, ctx);
    case 'wallboard': return mountWallboard(view, ctx);
    case 'bad_case':
      view.replaceChildren(h('p', {}, h('a', { href: href.cases }, S.backToCases)));
      return showError(S.badCaseId);
    default:
      view.replaceChildren();
      return showError(S.notFound);
  }
}

window.addEventListener('hashchange', renderRoute);

// ---- Start -----------------------------------------------------------------

/** Resumes a session that survives a reload, or shows the login form. */
async function start(): Promise<void> {
  view.replaceChildren(h('p', {}, S.loading));
  try {
    const me = await api.me();
    if (me.stage === 'active') await enterApp(me);
    else showLogin(me.stage);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) handleError(e);
    showLogin();
  }
}

void start();
