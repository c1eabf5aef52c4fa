// Small DOM helpers. Everything is built with createElement and text nodes:
// server data is never parsed as HTML. No inline styles or handlers (CSP).

export type Attrs = Record<string, string | number | boolean | null | undefined>;
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Sets attributes as h() does ('testid' is data-testid); null, undefined and false remove one. */
export function setAttrs(el: Element, attrs: Attrs): void {
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'style' || key.startsWith('on')) throw new Error(`h(): attribute ${key} is not allowed`);
    const name = key === 'class' ? 'class' : key === 'testid' ? 'data-testid' : key;
    if (value === null || value === undefined || value === false) el.removeAttribute(name);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

/**
 * Makes `nodes` the children of `parent`, in this order, moving only those out of place: a node
 * already where it belongs is not touched. Taking a node out, even to put it straight back (as
 * replaceChildren does), cancels a click in progress on it or inside it (the browser fires no
 * click when the mousedown target left the document before mouseup) and drops its focus.
 */
export function reconcile(parent: Node, nodes: Node[]): void {
  nodes.forEach((node, i) => {
    const at = parent.childNodes[i] ?? null;
    if (at !== node) parent.insertBefore(node, at);
  });
  while (parent.childNodes.length > nodes.length) parent.removeChild(parent.lastChild!);
}

/**
 * What was built for keyed items, kept across re-renders while the key stays: begin() before a
 * render, get() for each item, end() after (what was not asked for goes).
 */
export class Keyed<T> {
  private readonly items = new Map<string, T>();
  private readonly used = new Set<string>();

  begin(): void {
    this.used.clear();
  }

  get(key: string, make: () => T): T {
    let item = this.items.get(key);
    if (item === undefined) {
      item = make();
      this.items.set(key, item);
    }
    this.used.add(key);
    return item;
  }

  end(): void {
    for (const key of Array.from(this.items.keys())) if (!this.used.has(key)) this.items.delete(key);
  }
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

let nextId = 0;
export function uid(prefix = 'f'): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A label and its control, linked by id; an optional hint is linked by aria-describedby. */
export function field(labelText: string, control: HTMLElement, hint?: string, extraClass = ''): HTMLDivElement {
  if (!control.id) control.id = uid();
  const parts: Child[] = [h('label', { for: control.id }, labelText), control];
  if (hint) {
    const hintId = uid('hint');
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('p', { class: 'hint', id: hintId }, hint));
  }
  return h('div', { class: ('field ' + extraClass).trim() }, ...parts);
}

/** A <select> from [value, label] pairs. */
export function select(
  options: [string, string][],
  selected: string,
  attrs: Attrs = {},
): HTMLSelectElement {
  const el = h('select', attrs);
  for (const [value, text] of options) {
    const opt = h('option', { value }, text);
    if (value === selected) opt.selected = true;
    el.appendChild(opt);
  }
  return el;
}

/** [value, label] pairs from a label table. */
export function optionsOf(table: Record<string, string>): [string, string][] {
  return Object.entries(table);
}

export function button(text: string, testid: string, attrs: Attrs = {}): HTMLButtonElement {
  return h('button', { type: 'button', testid, ...attrs }, text);
}

export function submit(text: string, testid: string): HTMLButtonElement {
  return h('button', { type: 'submit', testid, class: 'primary' }, text);
}

/**
 * Runs an async form action: disables the form's buttons while it runs, so a
 * double click does not send twice. Native validation is off (novalidate);
 * the console checks and reports in the error banner.
 */
export function onSubmit(form: HTMLFormElement, action: () => Promise<void>): void {
  form.noValidate = true;
  let busy = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    busy = true;
    const buttons = Array.from(form.querySelectorAll('button'));
    buttons.forEach((b) => (b.disabled = true));
    form.setAttribute('aria-busy', 'true');
    try {
      await action();
    } finally {
      busy = false;
      buttons.forEach((b) => (b.disabled = false));
      form.removeAttribute('aria-busy');
    }
  });
}

/** Runs an async click action with the same busy handling as onSubmit. */
export function onClick(btn: HTMLButtonElement, action: () => Promise<void>): void {
  btn.addEventListener('click', async () => {
    if (btn.disabled) return;
    btn.disabled = true;
    try {
      await action();
    } finally {
      btn.disabled = false;
    }
  });
}
