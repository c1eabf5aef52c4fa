// One case end to end, through real browsers on a real server:
//   1. an applicant (JavaScript off) applies on the public site with a photo and keeps the receipt;
//   2. an operator logs in to the console (password change, TOTP enrolment), sees the photo, answers, notes,
//      moves the case new → triage → application and hands it off releasing only "unit";
//   3. the applicant opens the conversation by receipt: the reply, never the note; writes again;
//   4. the coordinator logs in, sees only the released field and records the outcome;
//   5. the operator sees the follow-up and the outcome arrive live (his draft reply kept), then reloads;
//      the applicant's receipt, read out on the phone, opens his case;
//   6. the operator files a field report for a mother on the phone, who reads it with its receipt;
//   7. the server stops cleanly on SIGTERM, and its log holds nothing anyone wrote.
// Steps run in order; once one fails, the rest are skipped.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';

import {
  freshTotp, screenshot, screenshotPrefix, serverAndBrowser, steps, tid, unexpectedFailures, watchPage,
} from '../lib/lifeline.mjs';

screenshotPrefix('hotline');

const RECEIPT = /\d{5}-\d{5}-\d{5}-\d{5}-\d{5}/;

const APPLICANT = {
  unit: 'в/ч 40278, 3-й батальон',
  contact: '@svyaz_e2e_7731',
  freeText: 'Хочу сдаться в плен. Нахожусь под Белгородом, со мной ещё двое. Связь только вечером.',
  followUp: 'Спасибо, жду указаний. Телефон разрядится к утру.',
};
const OPERATOR_REPLY = 'Здравствуйте! Мы получили вашу заявку. Не удаляйте код и ждите нашего ответа.';
const OPERATOR_NOTE = 'Внутренняя заметка: сверить номер части с реестром (не для заявителя)';
const HANDOFF_NOTE = 'Встреча по согласованию, приоритет высокий';
const OPERATOR_DRAFT = 'Черновик ответа, ещё не отправлен';
// A field report: a mother calls about her son; the operator files it for her.
const REPORT = {
  soughtName: 'Коваленко Андрій Іванович',
  seekerContact: '+380 67 123 45 67',
  birthDate: '1998-04-12',
  freeText: 'Мати телефонувала: зв\'язок з сином зник 3 березня під Покровськом',
};

const OPERATOR = { username: 'olena', role: 'operator', newPassword: 'оператор-пароль-2024' };
const COORDINATOR = { username: 'petro', role: 'coordinator', newPassword: 'координатор-пароль-2024' };

/** A valid PNG of width × height pixels (RGB, unfiltered rows), built here: no binary fixture. */
function pngOf(width, height) {
  const crc32 = (bytes) => {
    let crc = 0xffffffff;
    for (const b of bytes) {
      crc ^= b;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
    return (crc ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;  // bit depth
  ihdr[9] = 2;  // colour type: RGB
  const rows = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rows[y * (1 + 3 * width) + 1 + 3 * x] = 40 * (x + y);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
const PHOTO = { width: 3, height: 2 };

/** Public pages must be script-free: no <script> element at all. */
async function assertNoScript(page) {
  const html = await page.content();
  assert.doesNotMatch(html, /<script/i, `${page.url()} carries a <script> tag`);
}

/** Submits a public-site form (JavaScript off: a real form POST) and returns the POST's response. */
async function submitForm(page, action) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === action),
    page.waitForEvent('load'),
    page.locator(`form[action="${action}"] button[type="submit"]`).click(),
  ]);
  return res;
}

/** Console login from the login form to stage "active": one-time password, new password, TOTP. */
async function consoleFirstLogin(page, base, account) {
  await page.goto(`${base}/console/`);
  await page.locator(tid('login-username')).fill(account.username);
  await page.locator(tid('login-password')).fill(account.password);
  await screenshot(page, `${account.username}-login`);
  await page.locator(tid('login-submit')).click();

  // Password change; the current password is prefilled with the one-time password just typed.
  await page.locator(tid('new-password')).waitFor();
  assert.equal(await page.locator(tid('current-password')).inputValue(), account.password);
  await page.locator(tid('new-password')).fill(account.newPassword);
  await screenshot(page, `${account.username}-password-change`);
  await page.locator(tid('password-submit')).click();

  // TOTP enrolment: QR code and the secret as text; a code from that secret confirms it.
  const secretEl = page.locator(tid('totp-secret'));
  await secretEl.waitFor();
  await page.locator(tid('totp-qr')).waitFor();
  const secret = (await secretEl.textContent()).trim();
  assert.match(secret.replace(/[\s=]/g, ''), /^[A-Z2-7]{16,}$/, 'the TOTP secret is base32');
  await screenshot(page, `${account.username}-totp-enrol`);
  await page.locator(tid('totp-code')).fill(await freshTotp(secret));
  await page.locator(tid('totp-submit')).click();

  await page.locator(tid('whoami')).filter({ hasText: account.username }).waitFor();
  assert.equal(await page.locator(tid('logout')).isVisible(), true, 'the top bar shows once active');
  return secret;
}

describe('applicant, operator and coordinator handle one case', { timeout: 240_000 }, () => {
  const env = serverAndBrowser('hotline', [OPERATOR, COORDINATOR]);
  const { server } = env;
  let browser;
  let base;
  let applicant; // { context, page, watch }
  let operator;
  let coordinator;
  let receipt;
  const step = steps();

  before(() => ({ browser, base } = env));

  step('1. applicant without JavaScript: languages, validation, application, receipt', async () => {
    // A browser asking for a language the site does not have: the site falls back to Russian.
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE' });
    const page = await context.newPage();
    applicant = { context, page, watch: watchPage(page, base) };
    const html = page.locator('html');

    let res = await page.goto(`${base}/`);
    assert.equal(res.status(), 200);
    assert.equal(await html.getAttribute('lang'), 'ru', 'Russian by default');
    assert.equal(res.headers()['cache-control'], 'no-store');
    await assertNoScript(page);
    await screenshot(page, 'home-ru');

    // The language links switch the page, and the choice sticks (cookie) for the next page.
    await page.locator('nav.langs a[hreflang="en"]').click();
    await page.waitForURL(/\/\?lang=en$/);
    assert.equal(await html.getAttribute('lang'), 'en');
    assert.equal(new URL(page.url()).searchParams.get('lang'), 'en');
    assert.equal(await page.locator('nav.langs strong[aria-current="true"]').getAttribute('lang'), 'en');
    await screenshot(page, 'home-en');
    await page.locator('nav.langs a[hreflang="uk"]').click();
    await page.waitForURL(/\/\?lang=uk$/);
    assert.equal(await html.getAttribute('lang'), 'uk');
    await screenshot(page, 'home-uk');
    await page.locator('nav.menu a[href="/apply"]').click();
    await page.waitForURL(/\/apply$/);
    assert.equal(await html.getAttribute('lang'), 'uk', 'the chosen language is kept');
    await screenshot(page, 'apply-uk');
    await page.locator('nav.langs a[hreflang="ru"]').click();
    await page.waitForURL(/\/apply\?lang=ru$/, { waitUntil: 'load' });
    assert.equal(await html.getAttribute('lang'), 'ru', 'switching keeps the page');
    await screenshot(page, 'apply-ru-switched');
    res = await page.goto(`${base}/apply`);
    assert.equal(res.status(), 200);
    assert.equal(await html.getAttribute('lang'), 'ru', 'back to Russian, kept without ?lang');
    await assertNoScript(page);
    await screenshot(page, 'apply-form');

    // An empty form: an error summary and a field error; still the form, nothing sent.
    res = await submitForm(page, '/apply');
    assert.equal(res.status(), 422);
    assert.equal(new URL(page.url()).pathname, '/apply');
    assert.ok(await page.locator('p.notice.error[role="alert"]').count() >= 1, 'an error summary is shown');
    assert.equal(await page.locator('#e-contact').count(), 1, 'the contact field explains what is missing');
    assert.equal(await page.locator('#f-contact').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('form[action="/apply"]').count(), 1, 'the form is shown again');
    assert.equal(await page.locator('p.receipt').count(), 0);
    await assertNoScript(page);
    await screenshot(page, 'apply-empty-rejected');

    // The real application, in Russian.
    await page.locator('#f-unit').fill(APPLICANT.unit);
    await page.locator('#f-contact').fill(APPLICANT.contact);
    await page.locator('#f-free_text').fill(APPLICANT.freeText);
    await page.locator('input[type="file"][name="photo"]').first().setInputFiles(
      { name: 'photo.png', mimeType: 'image/png', buffer: pngOf(PHOTO.width, PHOTO.height) });
    await screenshot(page, 'apply-filled');
    res = await submitForm(page, '/apply');
    assert.equal(res.status(), 200);
    const code = page.locator('p.receipt code');
    await code.waitFor();
    receipt = (await code.textContent()).trim();
    assert.match(receipt, RECEIPT);
    assert.equal(await html.getAttribute('lang'), 'ru');
    // Nothing personal in the address bar.
    assert.equal(new URL(page.url()).search, '');
    assert.ok(!page.url().includes(receipt.slice(0, 5)));
    await assertNoScript(page);
    await screenshot(page, 'apply-receipt');
  });

  step('2. operator: first login, reads the case, replies, notes, moves it and hands it off', async () => {
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    operator = { context, page, watch: watchPage(page, base) };
    await consoleFirstLogin(page, base, OPERATOR);

    // The case list: the new web application.
    assert.match(new URL(page.url()).hash, /^#\/cases/);
    const row = page.locator(tid('case-row'));
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.equal(await row.getAttribute('data-state'), 'new');
    const caseId = await row.getAttribute('data-case-id');
    assert.match(caseId, /^[1-9]\d*$/);
    operator.caseId = caseId;
    await screenshot(page, 'operator-case-list');

    // The case: the form the applicant filled, and the conversation.
    await row.locator(tid('case-link')).click();
    const view = page.locator(`${tid('case-view')}[data-case-id="${caseId}"]`);
    await view.waitFor();
    const state = page.locator(tid('case-state'));
    assert.equal(await state.getAttribute('data-state'), 'new');
    assert.equal(await page.locator(`${tid('form-value')}[data-field="free_text"]`).textContent(), APPLICANT.freeText);
    assert.equal(await page.locator(`${tid('form-value')}[data-field="unit"]`).textContent(), APPLICANT.unit);
    assert.equal(await page.locator(`${tid('form-value')}[data-field="contact"]`).textContent(), APPLICANT.contact);
    const conversation = page.locator(tid('conversation-panel'));
    assert.equal(await conversation.locator(`${tid('message')}[data-kind="form"]`).count(), 1,
      'the application is the first entry of the conversation');
    // The photo the applicant attached, opened through the API in the console.
    assert.equal(await page.locator(tid('photo')).count(), 1, 'the photo is listed');
    const shown = await page.waitForFunction(() => {
      const img = document.querySelector('[data-testid="photo-image"]');
      return img && img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : false;
    });
    assert.deepEqual(await shown.jsonValue(), [PHOTO.width, PHOTO.height]);
    await screenshot(page, 'operator-case-new');

    // A reply to the applicant, in Russian.
    await page.locator(tid('reply-text')).fill(OPERATOR_REPLY);
    await page.locator(tid('reply-submit')).click();
    await conversation.locator(`${tid('message')}[data-kind="reply"]`).filter({ hasText: OPERATOR_REPLY }).waitFor();
    assert.equal(await page.locator(tid('reply-text')).inputValue(), '', 'the reply box is emptied');

    // An internal note.
    await page.locator(tid('note-text')).fill(OPERATOR_NOTE);
    await page.locator(tid('note-submit')).click();
    await conversation.locator(`${tid('message')}[data-kind="note"]`).filter({ hasText: OPERATOR_NOTE }).waitFor();
    await screenshot(page, 'operator-replied-and-noted');

    // new → triage → application, each with a reason.
    for (const [to, reason] of [['triage', 'Заявка получена, разбираем'], ['application', 'Намерение сдаться подтверждено']]) {
      await page.locator(tid('transition-to')).selectOption(to);
      await page.locator(tid('transition-reason')).fill(reason);
      await page.locator(tid('transition-submit')).click();
      await page.locator(`${tid('case-state')}[data-state="${to}"]`).waitFor();
      await page.locator(`${tid('history-item')}[data-type="transition"]`).filter({ hasText: reason }).waitFor();
    }
    assert.equal(await state.getAttribute('data-state'), 'application');
    await screenshot(page, 'operator-state-application');

    // Hand-off to the coordinator, releasing the unit only.
    await page.locator(tid('handoff-coordinator')).selectOption({ label: COORDINATOR.username });
    const boxes = page.locator(tid('handoff-field'));
    assert.ok(await boxes.count() >= 3, 'every form field can be released');
    await page.locator(`${tid('handoff-field')}[data-field="unit"]`).check();
    await page.locator(tid('handoff-note')).fill(HANDOFF_NOTE);
    await screenshot(page, 'operator-handoff-form');
    await page.locator(tid('handoff-submit')).click();
    const item = page.locator(`${tid('handoffs-panel')} ${tid('handoff-item')}`);
    await item.waitFor();
    assert.equal(await item.count(), 1);
    assert.equal(await item.locator(tid('handoff-item-outcome')).getAttribute('data-outcome'), '', 'no outcome yet');
    assert.ok((await item.textContent()).includes(COORDINATOR.username));
    await screenshot(page, 'operator-handed-off');
    // He starts a reply and leaves the case open while the others act (steps 3 and 4).
    await page.locator(tid('reply-text')).fill(OPERATOR_DRAFT);

    assert.deepEqual(operator.watch.errors, [], 'no console errors (CSP violations included)');
    assert.deepEqual(operator.watch.foreign, [], 'the console loads nothing from elsewhere');
    assert.deepEqual(unexpectedFailures(operator.watch), [], 'no request failed but the first GET /me');
  });

  step('3. applicant follows up by receipt: sees the reply, not the note; writes again', async () => {
    const { page } = applicant;
    await page.goto(`${base}/followup`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
    await assertNoScript(page);
    await screenshot(page, 'followup-form');
    await page.locator('#f-receipt').fill(receipt);
    let res = await submitForm(page, '/followup');
    assert.equal(res.status(), 200);

    const entries = page.locator('ol.conversation');
    await entries.waitFor();
    assert.equal(new URL(page.url()).search, '', 'the receipt is never in the address');
    const reply = page.locator('li.entry.reply');
    assert.equal(await reply.count(), 1);
    assert.equal((await reply.locator('p.text').textContent()).trim(), OPERATOR_REPLY);
    const body = await page.locator('body').textContent();
    assert.ok(body.includes(APPLICANT.freeText), 'his own application is shown');
    const markup = await page.content();
    assert.ok(!markup.includes(OPERATOR_NOTE), 'the internal note is never shown to the applicant');
    assert.ok(!markup.includes('Внутренняя заметка'), 'nor any part of it');
    assert.ok(!markup.includes(HANDOFF_NOTE), 'nor the hand-off note');
    assert.equal(await page.locator('li.entry').count(), 2, 'his application and the reply, nothing else');
    await assertNoScript(page);
    await screenshot(page, 'followup-conversation');

    await page.locator('#f-message').fill(APPLICANT.followUp);
    res = await submitForm(page, '/followup/message');
    assert.equal(res.status(), 200);
    await page.locator('p.notice.success').waitFor();
    const inbound = page.locator('li.entry.inbound p.text').filter({ hasText: APPLICANT.followUp });
    assert.equal(await inbound.count(), 1, 'the follow-up is in the conversation');
    assert.equal((await page.locator('#f-message').inputValue()).trim(), '', 'the message box is emptied');
    assert.ok(!(await page.content()).includes(OPERATOR_NOTE));
    assert.equal(await page.locator('li.entry').count(), 3);
    await assertNoScript(page);
    await screenshot(page, 'followup-message-sent');

    assert.deepEqual(applicant.watch.foreign, [], 'the public site loads nothing from elsewhere');
    await applicant.context.close();
  });

  step('4. coordinator: first login lands on hand-offs, sees only the unit, records the outcome', async () => {
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    coordinator = { context, page, watch: watchPage(page, base) };
    // Every API answer he gets, to check that nothing unreleased reaches his browser at all.
    const apiBodies = [];
    page.on('response', (r) => {
      // Every API answer but the event stream, whose body never ends (it carries ids only).
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/api/') && path !== '/api/v1/events') apiBodies.push(r.text().catch(() => ''));
    });
    await consoleFirstLogin(page, base, COORDINATOR);

    await page.waitForURL(/#\/handoffs$/);
    const item = page.locator(tid('handoff-item'));
    await item.first().waitFor();
    assert.equal(await item.count(), 1);
    assert.equal(await item.getAttribute('data-case-id'), operator.caseId);
    const values = item.locator(tid('handoff-value'));
    assert.equal(await values.count(), 1, 'exactly one field released');
    assert.equal(await values.getAttribute('data-field'), 'unit');
    assert.equal(await values.textContent(), APPLICANT.unit);
    assert.equal(await item.locator(tid('handoff-note-text')).textContent(), HANDOFF_NOTE);
    const markup = await page.content();
    assert.ok(!markup.includes(APPLICANT.contact), 'the contact was not released');
    assert.ok(!markup.includes(APPLICANT.freeText), 'the free text was not released');
    assert.ok(!markup.includes(OPERATOR_NOTE) && !markup.includes(OPERATOR_REPLY), 'nor the conversation');
    // A coordinator has no case screens.
    assert.equal(await page.locator(tid('nav-cases')).count(), 0);
    await screenshot(page, 'coordinator-handoffs');

    await item.locator(tid('handoff-outcome')).selectOption('surrendered');
    await item.locator(tid('handoff-outcome-note')).fill('Вышел на связь, передан');
    await item.locator(tid('handoff-outcome-submit')).click();
    await page.locator(`${tid('handoff-outcome-value')}[data-outcome="surrendered"]`).waitFor();
    assert.equal(await page.locator(tid('handoff-outcome')).count(), 0, 'an outcome is recorded once');
    await screenshot(page, 'coordinator-outcome-recorded');

    // He cannot open the case itself: the console sends him back to his hand-offs.
    await page.goto(`${base}/console/#/cases/${operator.caseId}`);
    await page.waitForURL(/#\/handoffs$/);
    await page.locator(tid('handoff-item')).waitFor();
    await screenshot(page, 'coordinator-case-url-redirected');
    assert.ok(!(await page.content()).includes(APPLICANT.freeText));
    // Parsed and written again, so that \u escapes cannot hide a value from the search.
    const answers = (await Promise.all(apiBodies)).map((text) => {
      try {
        return JSON.stringify(JSON.parse(text));
      } catch {
        return text;
      }
    }).join('\n');
    assert.ok(answers.includes(APPLICANT.unit), 'the hand-off came through the API');
    for (const secret of [APPLICANT.contact, APPLICANT.freeText, OPERATOR_NOTE, OPERATOR_REPLY]) {
      assert.ok(!answers.includes(secret), `the API never sent him ${JSON.stringify(secret)}`);
    }

    assert.deepEqual(coordinator.watch.errors, [], 'no console errors (CSP violations included)');
    assert.deepEqual(unexpectedFailures(coordinator.watch), [], 'no request failed but the first GET /me');
    // Nor through the API by hand: the case is not his to read.
    const direct = await page.evaluate(async (id) => (await fetch(`/api/v1/cases/${id}`)).status, operator.caseId);
    assert.equal(direct, 403, 'GET /api/v1/cases/{id} as a coordinator');
    await context.close();
  });

  step('5. operator sees the follow-up and the outcome arrive live, then reloads the case', async () => {
    const { page } = operator;
    // Without a reload: the live updates redrew the case, and kept the reply he was typing.
    await page.locator(`${tid('conversation-panel')} ${tid('message')}[data-kind="inbound"]`)
      .filter({ hasText: APPLICANT.followUp }).waitFor({ timeout: 10_000 });
    await page.locator(`${tid('handoff-item-outcome')}[data-outcome="surrendered"]`).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator(tid('reply-text')).inputValue(), OPERATOR_DRAFT, 'the draft survives the redraw');
    await screenshot(page, 'operator-live-update');
    await page.reload();
    const view = page.locator(`${tid('case-view')}[data-case-id="${operator.caseId}"]`);
    await view.waitFor();
    const conversation = page.locator(tid('conversation-panel'));
    await conversation.locator(`${tid('message')}[data-kind="inbound"]`).filter({ hasText: APPLICANT.followUp }).waitFor();
    assert.equal(await page.locator(`${tid('handoff-item-outcome')}`).getAttribute('data-outcome'), 'surrendered');
    assert.equal(await page.locator(tid('handoff-item-outcome-note')).textContent(), 'Вышел на связь, передан',
      "the coordinator's note, opened with the team key");
    assert.equal(await page.locator(tid('case-state')).getAttribute('data-state'), 'application');
    const kinds = await conversation.locator(tid('message')).evaluateAll((els) => els.map((e) => e.dataset.kind));
    assert.deepEqual(kinds, ['form', 'reply', 'note', 'inbound'], 'the conversation in order');
    await page.locator(`${tid('history-item')}[data-type="handoff_outcome"]`).waitFor();
    await screenshot(page, 'operator-case-final');

    // The applicant calls and reads out his receipt: it opens his case from the case list.
    await page.locator(tid('nav-cases')).click();
    await page.locator(tid('lookup-receipt')).fill(receipt);
    await screenshot(page, 'operator-lookup-by-receipt');
    await page.locator(tid('lookup-submit')).click();
    await page.waitForURL(new RegExp(`#/cases/${operator.caseId}$`));
    await page.locator(`${tid('case-view')}[data-case-id="${operator.caseId}"]`).waitFor();
    assert.ok(!page.url().includes(receipt.replace(/\D/g, '').slice(0, 10)), 'the receipt is never in the address');

    assert.deepEqual(operator.watch.errors, [], 'no console errors (CSP violations included)');
    assert.deepEqual(unexpectedFailures(operator.watch), [], 'no request failed but the first GET /me');
  });

  step('6. operator files a field report for a mother on the phone; she reads it with its receipt', async () => {
    const { page } = operator;
    await page.locator(tid('nav-cases')).click();
    await page.locator(tid('new-report')).click();
    await page.locator(tid('report-form')).waitFor();
    await page.locator(tid('report-kind')).selectOption('relative_inquiry');
    await page.locator(tid('report-language')).selectOption('uk');
    const input = (name) => page.locator(`${tid('report-field')}[data-field="${name}"]`);
    assert.equal(await input('sought_name').count(), 1, 'the inquiry form\'s fields');
    assert.equal(await input('unit').count(), 0, 'not the application\'s');
    await input('sought_name').fill(REPORT.soughtName);
    await input('seeker_contact').fill(REPORT.seekerContact);
    await input('free_text').fill(REPORT.freeText);
    await input('sought_birth_date').fill(REPORT.birthDate);
    await screenshot(page, 'operator-field-report-form');
    await page.locator(tid('report-submit')).click();
    const filed = page.locator(tid('report-filed'));
    await filed.waitFor();
    const reportReceipt = (await page.locator(tid('report-receipt')).textContent()).trim();
    assert.match(reportReceipt, RECEIPT);
    assert.equal(await input('sought_name').inputValue(), '', 'the form is emptied for the next report');
    await screenshot(page, 'operator-field-report-filed');
    const reportCase = await filed.getAttribute('data-case-id');

    await page.locator(tid('report-case-link')).click();
    await page.locator(`${tid('case-view')}[data-case-id="${reportCase}"]`).waitFor();
    assert.equal(await page.locator(`${tid('form-value')}[data-field="sought_name"]`).textContent(), REPORT.soughtName);
    assert.equal(await page.locator(tid('case-state')).getAttribute('data-state'), 'new');
    await page.locator(`${tid('history-item')}[data-type="created"]`).filter({ hasText: OPERATOR.username }).waitFor();
    await screenshot(page, 'operator-field-report-case');
    assert.deepEqual(operator.watch.errors, [], 'no console errors (CSP violations included)');
    assert.deepEqual(unexpectedFailures(operator.watch), [], 'no request failed but the first GET /me');
    await operator.context.close();

    // The mother, later, on the web page without JavaScript.
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'uk-UA' });
    const mother = await context.newPage();
    await mother.goto(`${base}/followup`);
    await mother.locator('#f-receipt').fill(reportReceipt);
    const res = await submitForm(mother, '/followup');
    assert.equal(res.status(), 200);
    await mother.locator('ol.conversation').waitFor();
    assert.ok((await mother.locator('body').textContent()).includes(REPORT.freeText), 'she sees what was filed');
    await screenshot(mother, 'field-report-followup');
    await context.close();
  });

  // Runs even after a failed step: the server must stop cleanly whatever happened.
  it('7. the server stops cleanly on SIGTERM', async () => {
    await browser.close();
    browser = null;
    const code = await server.stop();
    assert.equal(code, 0, `exit ${JSON.stringify(server.exit)}; log:\n${server.stderr.slice(-4000)}`);
    assert.ok(!server.stderr.includes(receipt), 'the receipt is not in the server log');
    assert.ok(!server.stderr.includes(APPLICANT.contact), 'nor the contact');
    assert.ok(!server.stderr.includes(REPORT.seekerContact), 'nor a field report\'s contact');
  });
});
