// Hash router: #/cases, #/cases/123, #/cases/new, #/handoffs, #/users, #/queue, #/wallboard.

export type Route =
  | { name: 'cases' }
  | { name: 'case'; id: number }
  | { name: 'report' }
  | { name: 'handoffs' }
  | { name: 'users' }
  | { name: 'queue' }
  | { name: 'wallboard' }
  | { name: 'home' }
  | { name: 'bad_case' }
  | { name: 'unknown' };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '');
  if (path === '' || path === '/') return { name: 'home' };
  if (path === '/cases') return { name: 'cases' };
  if (path === '/cases/new') return { name: 'report' };
  if (path === '/handoffs') return { name: 'handoffs' };
  if (path === '/users') return { name: 'users' };
  if (path === '/queue') return { name: 'queue' };
  if (path === '/wallboard') return { name: 'wallboard' };
  const m = /^\/cases\/([^/]+)$/.exec(path);
  if (m) {
    const id = /^[1-9][0-9]*$/.test(m[1]) ? Number(m[1]) : NaN;
    return Number.isSafeInteger(id) ? { name: 'case', id } : { name: 'bad_case' };
  }
  return { name: 'unknown' };
}

export const href = {
  cases: '#/cases',
  case: (id: number) => `#/cases/${id}`,
  report: '#/cases/new',
  handoffs: '#/handoffs',
  users: '#/users',
  queue: '#/queue',
  wallboard: '#/wallboard',
};

export function navigate(to: string): void {
  if (location.hash === to) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = to;
}

export function currentRoute(): Route {
  return parseHash(location.hash);
}
