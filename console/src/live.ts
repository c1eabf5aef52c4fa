// Change notifications. Views subscribe to topics and reload when one fires.
// Nothing publishes yet: live updates will come from server-sent events, by
// opening an EventSource in connect() and calling publish() for each event,
// e.g. 'cases' (the list changed) and 'case:<id>' (one case changed).

type Listener = () => void;

const topics = new Map<string, Set<Listener>>();

export const topic = {
  cases: 'cases',
  case: (id: number) => `case:${id}`,
  handoffs: 'handoffs',
  users: 'users',
};

/** Subscribes until the signal aborts (views pass the signal of their route). */
export function subscribe(name: string, fn: Listener, signal: AbortSignal): void {
  let set = topics.get(name);
  if (!set) topics.set(name, (set = new Set()));
  set.add(fn);
  signal.addEventListener('abort', () => set?.delete(fn), { once: true });
}

export function publish(name: string): void {
  topics.get(name)?.forEach((fn) => fn());
}

/** Starts live updates after login. Placeholder until the server has an event stream. */
export function connect(): void {
  // const es = new EventSource('/api/v1/events');
  // es.addEventListener('case', (ev) => { const id = Number((ev as MessageEvent).data);
  //   publish(topic.case(id)); publish(topic.cases); });
}

/** Stops live updates at logout. */
export function disconnect(): void {
  // es?.close();
}
