// Change notifications. Views subscribe to topics and reload through the API when one fires.
// After login connect() opens the server's event stream (GET /api/v1/events, server-sent
// events with ids only) and publishes a topic for each event; it reconnects when the stream
// drops, and publishes every topic once connected again, so that views catch up on what they
// missed.

import { api, ApiError } from './api';

/** What an event carries: ids and codes, never what a person wrote. */
export interface LiveEvent {
  type?: string;
  entry_id?: number;
  case_id?: number | null;
  operator_id?: number | null;
  presence?: string;
  topics?: string[];
}

type Listener = (event?: LiveEvent) => void;

const topics = new Map<string, Set<Listener>>();

export const topic = {
  cases: 'cases',
  case: (id: number) => `case:${id}`,
  handoffs: 'handoffs',
  users: 'users',
  /** My offers, my connected contacts and my presence. */
  queueMine: 'queue:mine',
  /** The waiting line. */
  queueWaiting: 'queue:waiting',
  /** The wallboard's figures (supervisors, administrators). */
  wallboard: 'wallboard',
  /** A contact was just offered to me (the event comes with it). */
  offer: 'queue:offer',
  /** The stream's state changed: see liveState(). */
  connection: 'live:connection',
};

/** Subscribes until the signal aborts (views pass the signal of their route). */
export function subscribe(name: string, fn: Listener, signal: AbortSignal): void {
  let set = topics.get(name);
  if (!set) topics.set(name, (set = new Set()));
  set.add(fn);
  signal.addEventListener('abort', () => set?.delete(fn), { once: true });
}

export function publish(name: string, event?: LiveEvent): void {
  topics.get(name)?.forEach((fn) => fn(event));
}

// ---- The event stream ---------------------------------------------------------

export type LiveState = 'off' | 'connecting' | 'connected';

let source: EventSource | null = null;
let state: LiveState = 'off';
let retryTimer = 0;
let retryDelay = 1000;
let onEnded: () => void = () => {};

export function liveState(): LiveState {
  return state;
}

function setState(next: LiveState): void {
  if (state === next) return;
  state = next;
  publish(topic.connection);
}

const serverTopics: Record<string, string> = {
  mine: topic.queueMine,
  waiting: topic.queueWaiting,
  wallboard: topic.wallboard,
  cases: topic.cases,
  handoffs: topic.handoffs,
};

function dispatch(message: MessageEvent): void {
  let event: LiveEvent;
  try {
    event = JSON.parse(String(message.data)) as LiveEvent;
  } catch {
    return;
  }
  const names = Array.isArray(event.topics) ? event.topics : [];
  if (message.type === 'queue' && event.type === 'offer' && names.includes('mine')) publish(topic.offer, event);
  // A contact entered the queue: a new case, or a new message on one.
  if (message.type === 'queue' && event.type === 'enter') {
    publish(topic.cases, event);
    if (typeof event.case_id === 'number') publish(topic.case(event.case_id), event);
  }
  // Someone changed a case: its open views reload (the list hears it through "cases").
  if (message.type === 'case' && typeof event.case_id === 'number') publish(topic.case(event.case_id), event);
  for (const name of names) {
    const local = serverTopics[name];
    if (local) publish(local, event);
  }
}

function open(): void {
  window.clearTimeout(retryTimer);
  source?.close();
  setState('connecting');
  const es = new EventSource('/api/v1/events');
  source = es;
  es.addEventListener('ready', () => {
    if (source !== es) return;
    retryDelay = 1000;
    setState('connected');
    // Whatever happened while the stream was down: every view reloads once.
    for (const name of Object.values(serverTopics)) publish(name);
    for (const name of [...topics.keys()]) if (name.startsWith('case:')) publish(name);
  });
  es.addEventListener('queue', (ev) => dispatch(ev as MessageEvent));
  es.addEventListener('presence', (ev) => dispatch(ev as MessageEvent));
  es.addEventListener('case', (ev) => dispatch(ev as MessageEvent));
  es.addEventListener('handoff', (ev) => dispatch(ev as MessageEvent));
  es.addEventListener('error', () => {
    if (source !== es) return;
    // CONNECTING: the browser retries by itself (the server closed a stream that aged out).
    // CLOSED: refused (401/403) or broken; try again later unless the session is gone.
    if (es.readyState === EventSource.CLOSED) {
      setState('connecting');
      es.close();
      source = null;
      const delay = retryDelay;
      retryDelay = Math.min(retryDelay * 2, 30_000);
      retryTimer = window.setTimeout(() => void retry(), delay);
    } else {
      setState('connecting');
    }
  });
}

async function retry(): Promise<void> {
  try {
    const me = await api.me();
    if (me.stage !== 'active') {
      disconnect();
      onEnded();
      return;
    }
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      disconnect();
      onEnded();
      return;
    }
  }
  if (state !== 'off') open();
}

/**
 * Starts live updates after login. `ended` runs when the stream cannot be opened again
 * because the session is over.
 */
export function connect(ended: () => void = () => {}): void {
  onEnded = ended;
  retryDelay = 1000;
  if (typeof EventSource === 'undefined') return;
  open();
}

/** Stops live updates at logout. */
export function disconnect(): void {
  window.clearTimeout(retryTimer);
  source?.close();
  source = null;
  setState('off');
}
