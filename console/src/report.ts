// A field report (#/cases/new): an operator files a contact that reached the line another way
// (a drone's note, a sign, a relative on the phone). The fields are those of the public form of
// the kind; the server checks them as the form does. The case is the filer's and skips the
// queue; its receipt is shown once, to be read out to a person who will follow up on the web.

import { api } from './api';
import { field, h, onSubmit, optionsOf, select, submit } from './dom';
import { href } from './router';
import { FIELD_CHOICES, FIELDS, KINDS, label, LANGUAGES, S } from './strings';
import type { ViewContext } from './types';
import { handleError, showError } from './ui';

/** The public form's fields of each kind, in its order (intake's FormFields). */
export const FORM_FIELDS: Record<string, string[]> = {
  surrender_application: ['status', 'deployment_date', 'unit', 'rank', 'service_number', 'area', 'group', 'group_size',
    'contact_window', 'after_capture', 'heard_from', 'contact', 'name', 'free_text'],
  relative_inquiry: ['seeker_name', 'seeker_contact', 'relation', 'sought_name', 'sought_birth_date', 'sought_unit',
    'marks', 'free_text'],
};
const CONTACT_FIELD: Record<string, string> = { surrender_application: 'contact', relative_inquiry: 'seeker_contact' };
const DATE_FIELDS = new Set(['deployment_date', 'sought_birth_date']);
const LONG_FIELDS = new Set(['free_text', 'marks']);

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function control(name: string, value: string): Control {
  const attrs = { testid: 'report-field', 'data-field': name, name };
  const choices = FIELD_CHOICES[name];
  if (choices) return select([['', S.none], ...optionsOf(choices)], value, attrs);
  if (LONG_FIELDS.has(name)) {
    const t = h('textarea', { ...attrs, rows: name === 'free_text' ? 5 : 3 });
    t.value = value;
    return t;
  }
  const input = h('input', {
    ...attrs,
    type: DATE_FIELDS.has(name) ? 'date' : name === 'group_size' ? 'number' : 'text',
    min: name === 'group_size' ? 1 : null,
    max: name === 'group_size' ? 500 : null,
  });
  input.value = value;
  return input;
}

export function mountReport(root: HTMLElement, ctx: ViewContext): void {
  const { signal } = ctx;
  document.title = `${S.reportTitle} — ${S.appTitle}`;
  const heading = h('h1', { tabindex: -1 }, S.reportTitle);
  const kind = select(optionsOf(KINDS), 'surrender_application', { testid: 'report-kind' });
  const language = select(optionsOf(LANGUAGES), 'ru', { testid: 'report-language' });
  const fieldsBox = h('div', { class: 'stack' });
  const outcome = h('div', { testid: 'report-result', 'aria-live': 'polite' });

  // Values typed so far, by field name: switching the kind keeps what both forms share.
  const typed = new Map<string, string>();
  let controls: Control[] = [];
  const remember = () => controls.forEach((c) => typed.set(c.name, c.value));
  function renderFields(): void {
    remember();
    const names = FORM_FIELDS[kind.value] ?? [];
    controls = names.map((n) => control(n, typed.get(n) ?? ''));
    fieldsBox.replaceChildren(...controls.map((c) =>
      field(label(FIELDS, c.name), c, c.name === CONTACT_FIELD[kind.value] ? S.reportContactHint : undefined)));
  }
  kind.addEventListener('change', renderFields);
  renderFields();

  const form = h('form', { class: 'stack panel', testid: 'report-form' },
    h('p', { class: 'muted' }, S.reportIntro),
    h('div', { class: 'filters' }, field(S.reportKind, kind), field(S.reportLanguage, language)),
    fieldsBox,
    h('div', { class: 'actions' }, submit(S.reportSubmit, 'report-submit')));
  onSubmit(form, async () => {
    const fields: Record<string, string> = {};
    for (const c of controls) if (c.value.trim() !== '') fields[c.name] = c.value;
    if (!fields[CONTACT_FIELD[kind.value]] && !fields.free_text) return showError(S.reportNeedsSomething);
    try {
      const filed = await api.fileReport({ kind: kind.value, language: language.value, fields });
      if (signal.aborted) return;
      typed.clear();
      controls.forEach((c) => (c.value = ''));
      outcome.replaceChildren(h('section', { class: 'panel', testid: 'report-filed', 'data-case-id': filed.id },
        h('h2', {}, S.reportFiled(filed.id)),
        h('p', {}, S.reportReceiptIntro),
        h('p', { class: 'receipt', testid: 'report-receipt' }, filed.receipt),
        h('p', { class: 'muted' }, S.reportReceiptOnce),
        h('p', {}, h('a', { href: href.case(filed.id), testid: 'report-case-link' }, S.reportOpenCase))));
      outcome.querySelector('h2')?.setAttribute('tabindex', '-1');
      (outcome.querySelector('h2') as HTMLElement | null)?.focus();
    } catch (e) {
      handleError(e);
    }
  });

  root.replaceChildren(h('section', { class: 'report-view' }, heading,
    h('p', {}, h('a', { href: href.cases }, S.backToCases)), outcome, form));
  heading.focus();
}
