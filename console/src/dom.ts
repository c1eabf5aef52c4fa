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
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'style' || key.startsWith('on')) throw new Error(`h(): attribute ${key} is not allowed`);
    if (key === 'class') el.className = String(value);
    else if (key === 'testid') el.setAttribute('data-testid', String(value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
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
