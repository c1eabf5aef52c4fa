// Moving queue contacts through real browsers on a real server: transfer, callback, abandon.
//   1. two operators log in and open the queue, olena available, taras busy (in the queue, not
//      offered); a supervisor opens the wallboard and, in a second tab, the queue;
//   2. an application is offered to olena, who accepts it; her list reloads while she presses
//      the transfer button, and the click still opens the panel; a transfer to the supervisor
//      (not in the queue) is refused next to the contact; taras becomes available and olena transfers it
//      to him: it is offered to him, and gone from her contacts;
//   3. taras accepts and transfers it to another language and kind (English, relative inquiry):
//      it is offered to olena with the new skill; she marks it a callback, it comes back to her
//      as a callback, she accepts and completes it;
//   4. both operators busy, two more applications wait: the waiting line offers operators
//      callback and abandon but not transfer, the supervisor all three; the supervisor turns one
//      into a callback (the wallboard's callbacks waiting go to 1) and abandons the other after
//      cancelling once (abandoned goes to 1);
//   5. nothing failed in the browsers but the refused transfer; the server stops cleanly.
// Steps run in order; once one fails, the rest are skipped.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  consoleFirstLogin, fillApplication, screenshot, screenshotPrefix, steps, tid, unexpectedFailures, waitFigure,
  openQueueAs, serverAndBrowser, waitLive, watchPage,
} from '../lib/lifeline.mjs';

screenshotPrefix('moves');

const OLENA = { username: 'olena', role: 'operator', newPassword: 'оператор-пароль-олена-2024' };
const TARAS = { username: 'taras', role: 'operator', newPassword: 'оператор-пароль-тарас-2024' };
const SUPERVISOR = { username: 'iryna', role: 'supervisor', newPassword: 'супервізор-пароль-2024' };
const APPLICATIONS = [
  { unit: 'в/ч 41524, 3-й батальйон', contact: '@moves_e2e_first', freeText: 'Хочу здатися, зв’язок вночі.' },
  { unit: 'в/ч 52331, рота 2', contact: '@moves_e2e_second', freeText: 'Передзвоніть мені, будь ласка.' },
  { unit: 'в/ч 60211', contact: '@moves_e2e_third', freeText: 'Готовий скласти зброю.' },
];

async function setPresence(page, presence) {
  await page.locator(tid('presence-select')).selectOption(presence);
  await page.locator(`${tid('presence-current')}[data-presence="${presence}"]`).waitFor();
}

describe('moving queue contacts: transfer, callback, abandon', { timeout: 240_000 }, () => {
  const env = serverAndBrowser('moves', [OLENA, TARAS, SUPERVISOR]);
  const { server } = env;
  let browser;
  let base;
  let olena; // { context, page, watch, name }
  let taras;
  let supervisor; // + queuePage, queueWatch
  let applicant;
  let entryId; // the first application's queue entry
  const step = steps();

  before(() => ({ browser, base } = env));

  /** Applies in Ukrainian with JavaScript off; returns when the receipt is shown. */
  async function apply(a) {
    if (!applicant) {
      const context = await browser.newContext({ javaScriptEnabled: false, locale: 'uk-UA' });
      applicant = { context, page: await context.newPage() };
    }
    const { page } = applicant;
    await fillApplication(page, base, a);
    await Promise.all([page.waitForEvent('load'), page.locator('form[action="/apply"] button[type="submit"]').click()]);
    await page.locator('p.receipt code').waitFor();
  }

  step('1. olena available, taras busy; the supervisor on the wallboard and the queue', async () => {
    for (const [account, name, presence] of [[OLENA, 'olena', 'available'], [TARAS, 'taras', 'busy']]) {
      const who = await openQueueAs(browser, base, account, name);
      if (name === 'olena') olena = who;
      else taras = who;
      await setPresence(who.page, presence);
    }
    const context = await browser.newContext({ locale: 'uk-UA' });
    const page = await context.newPage();
    supervisor = { context, page, watch: watchPage(page, base), name: 'iryna' };
    await consoleFirstLogin(page, base, SUPERVISOR);
    await page.locator(tid('nav-wallboard')).click();
    await page.locator(tid('wallboard-view')).waitFor();
    await waitLive(page);
    await waitFigure(page, 'wb-callbacks', 0);
    await waitFigure(page, 'wb-abandoned', 0);
    // The same session in a second tab: the queue.
    supervisor.queuePage = await context.newPage();
    supervisor.queueWatch = watchPage(supervisor.queuePage, base);
    await supervisor.queuePage.goto(`${base}/console/#/queue`);
    await supervisor.queuePage.locator(tid('queue-view')).waitFor();
    await waitLive(supervisor.queuePage);
  });

  step('2. olena accepts, a transfer to someone not in the queue is refused inline, then taras gets it', async () => {
    await apply(APPLICATIONS[0]);
    const offer = olena.page.locator(tid('offer-item'));
    await offer.waitFor({ timeout: 5000 });
    entryId = await offer.getAttribute('data-entry-id');
    // An offer can be moved too: transfer, callback and abandon are there.
    for (const control of ['entry-transfer', 'entry-callback', 'entry-abandon']) {
      assert.equal(await offer.locator(tid(control)).count(), 1, `${control} on the offer`);
    }
    await offer.locator(tid('offer-accept')).click();
    const active = olena.page.locator(`${tid('active-item')}[data-entry-id="${entryId}"]`);
    await active.waitFor();
    // Connected: transfer only (callback and abandon are for people still waiting).
    assert.equal(await active.locator(tid('entry-callback')).count(), 0);
    assert.equal(await active.locator(tid('entry-abandon')).count(), 0);

    // The list reloads between the press and the release of the transfer button (a presence
    // change reloads it, as a live event does): the row stays, so the click still counts.
    await active.locator(tid('entry-transfer')).hover();
    await olena.page.mouse.down();
    const reloaded = olena.page.waitForResponse((r) => r.url().endsWith('/api/v1/queue/mine') && r.request().method() === 'GET');
    await olena.page.locator(tid('presence-select')).selectOption('busy');
    await reloaded;
    await olena.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    await olena.page.mouse.up();
    const panel = active.locator(tid('transfer-panel'));
    await panel.waitFor();
    await setPresence(olena.page, 'available');
    const select = panel.locator(tid('transfer-operator'));
    // Everyone who may take contacts but olena herself; the supervisor marked as such.
    await select.locator('option', { hasText: 'taras' }).waitFor({ state: 'attached' });
    const options = await select.locator('option').allTextContents();
    assert.ok(options.some((o) => /^iryna \(.+\)$/.test(o)), `the supervisor is listed: ${options}`);
    assert.ok(!options.some((o) => o.startsWith('olena')), 'not herself');
    // The skill selects start at the contact's own language and kind.
    assert.equal(await panel.locator(tid('transfer-language')).inputValue(), 'uk');
    assert.equal(await panel.locator(tid('transfer-kind')).inputValue(), 'surrender_application');

    // iryna is not in the queue (offline): refused, shown next to the contact, not in the banner.
    await select.selectOption({ label: options.find((o) => o.startsWith('iryna')) });
    await panel.locator(tid('transfer-operator-submit')).click();
    const error = active.locator(tid('entry-error'));
    await error.waitFor();
    assert.match(await error.textContent(), /not logged in/);
    assert.equal(await olena.page.locator(tid('error')).isVisible(), false, 'the page banner stays hidden');
    assert.equal(await panel.isVisible(), true, 'the panel stays open for another try');
    await screenshot(olena.page, 'olena-transfer-refused');

    // taras becomes available (nothing waits, so nothing is offered to him yet); olena transfers.
    await setPresence(taras.page, 'available');
    await select.selectOption({ label: 'taras' });
    await panel.locator(tid('transfer-operator-submit')).click();
    const tarasOffer = taras.page.locator(`${tid('offer-item')}[data-entry-id="${entryId}"]`);
    await tarasOffer.waitFor({ timeout: 5000 });
    await olena.page.locator(tid('active-list-empty')).waitFor({ state: 'visible' });
    // No wrap-up after a transfer.
    assert.equal(await olena.page.locator(tid('presence-current')).getAttribute('data-presence'), 'available');
    await screenshot(olena.page, 'olena-transferred');
    await screenshot(taras.page, 'taras-offered-transfer');
  });

  step('3. taras transfers it to English relative inquiries: olena is offered it, marks a callback, completes', async () => {
    await taras.page.locator(`${tid('offer-item')}[data-entry-id="${entryId}"] ${tid('offer-accept')}`).click();
    const active = taras.page.locator(`${tid('active-item')}[data-entry-id="${entryId}"]`);
    await active.waitFor();
    // The supervisor's queue tab shows who holds it, and for how long they have been talking.
    const held = supervisor.queuePage.locator(`${tid('held-row')}[data-entry-id="${entryId}"][data-state="connected"]`);
    await held.waitFor({ timeout: 5000 });
    assert.equal((await held.locator(tid('held-operator')).textContent()).trim(), 'taras');
    assert.match(await held.locator(tid('held-state')).textContent(), /^talking /);
    await screenshot(supervisor.queuePage, 'supervisor-held');
    await active.locator(tid('entry-transfer')).click();
    const panel = active.locator(tid('transfer-panel'));
    await panel.locator(tid('transfer-language')).selectOption('en');
    await panel.locator(tid('transfer-kind')).selectOption('relative_inquiry');
    await screenshot(taras.page, 'taras-transfer-to-skill');
    await panel.locator(tid('transfer-skill-submit')).click();
    await taras.page.locator(tid('active-list-empty')).waitFor({ state: 'visible' });

    // taras handed it on, so it is not offered to him again: olena has every language.
    const offer = olena.page.locator(`${tid('offer-item')}[data-entry-id="${entryId}"]`);
    await offer.waitFor({ timeout: 5000 });
    assert.equal(await offer.getAttribute('data-language'), 'en');
    assert.equal(await offer.getAttribute('data-kind'), 'relative_inquiry');
    assert.equal(await offer.getAttribute('data-callback'), 'false');
    assert.equal(await taras.page.locator(tid('offer-item')).count(), 0);
    await screenshot(olena.page, 'olena-offered-english');

    // The person asks to be called back: the offer is withdrawn and comes back as a callback.
    await offer.locator(tid('entry-callback')).click();
    const callback = olena.page.locator(`${tid('offer-item')}[data-entry-id="${entryId}"][data-callback="true"]`);
    await callback.waitFor({ timeout: 5000 });
    assert.equal(await callback.locator(tid('entry-callback')).count(), 0, 'already a callback');
    assert.equal(await callback.locator(tid('entry-abandon')).count(), 0, 'no one on the line to abandon');
    await screenshot(olena.page, 'olena-callback-offered');
    await callback.locator(tid('offer-accept')).click();
    const connected = olena.page.locator(`${tid('active-item')}[data-entry-id="${entryId}"]`);
    await connected.waitFor();
    await connected.locator(tid('active-complete')).click();
    await olena.page.locator(tid('active-list-empty')).waitFor({ state: 'visible' });
    await waitFigure(supervisor.page, 'wb-connected', 0);
    await waitFigure(supervisor.page, 'wb-callbacks', 0);
  });

  step('4. the supervisor turns a waiting contact into a callback and abandons another', async () => {
    await setPresence(olena.page, 'busy');
    await setPresence(taras.page, 'busy');
    await apply(APPLICATIONS[1]);
    await apply(APPLICATIONS[2]);
    const page = supervisor.queuePage;
    await page.locator(`${tid('waiting-count')}[data-count="2"]`).waitFor({ timeout: 5000 });
    await waitFigure(supervisor.page, 'wb-waiting', 2);
    const rows = page.locator(tid('waiting-row'));
    const [first, second] = [await rows.nth(0).getAttribute('data-entry-id'), await rows.nth(1).getAttribute('data-entry-id')];
    const row = (p, id) => p.locator(`${tid('waiting-row')}[data-entry-id="${id}"]`);
    // A row's panels and errors sit in the row after it, across the table.
    const movesRow = (p, id) => p.locator(`${tid('waiting-moves')}[data-entry-id="${id}"]`);

    // Operators may mark a waiting contact, not transfer it; the supervisor may do all three.
    await row(taras.page, second).waitFor();
    assert.equal(await row(taras.page, second).locator(tid('entry-transfer')).count(), 0);
    assert.equal(await row(taras.page, second).locator(tid('entry-callback')).count(), 1);
    assert.equal(await row(taras.page, second).locator(tid('entry-abandon')).count(), 1);
    for (const control of ['entry-transfer', 'entry-callback', 'entry-abandon']) {
      assert.equal(await row(page, first).locator(tid(control)).count(), 1, `${control} for the supervisor`);
    }
    await screenshot(page, 'supervisor-line');

    // Callback: the wallboard's callbacks waiting go to 1, the row shows it and keeps its place.
    await row(page, first).locator(tid('entry-callback')).click();
    await page.locator(`${tid('waiting-row')}[data-entry-id="${first}"][data-callback="true"]`).waitFor();
    await waitFigure(supervisor.page, 'wb-callbacks', 1);
    await waitFigure(supervisor.page, 'wb-waiting', 1);
    assert.equal(await row(page, first).locator(tid('entry-abandon')).count(), 0, 'a callback is not abandoned');
    assert.equal(await rows.nth(0).getAttribute('data-entry-id'), first, 'it keeps its place');
    await screenshot(supervisor.page, 'wallboard-callback');

    // Abandon asks first; "no" changes nothing.
    await row(page, second).locator(tid('entry-abandon')).click();
    const confirm = movesRow(page, second).locator(tid('abandon-confirm'));
    await confirm.waitFor();
    await screenshot(page, 'supervisor-abandon-confirm');
    await confirm.locator(tid('abandon-no')).click();
    await confirm.waitFor({ state: 'hidden' });
    await movesRow(page, second).waitFor({ state: 'hidden' });
    assert.equal(await row(page, second).count(), 1);
    await waitFigure(supervisor.page, 'wb-abandoned', 0);
    await row(page, second).locator(tid('entry-abandon')).click();
    await confirm.locator(tid('abandon-yes')).click();
    await row(page, second).waitFor({ state: 'detached' });
    await row(taras.page, second).waitFor({ state: 'detached' });
    await waitFigure(supervisor.page, 'wb-abandoned', 1);
    await waitFigure(supervisor.page, 'wb-callbacks', 1);
    await page.locator(`${tid('waiting-count')}[data-count="1"]`).waitFor();
    await screenshot(page, 'supervisor-abandoned');
    await screenshot(supervisor.page, 'wallboard-abandoned');
  });

  step('5. nothing failed in the browsers but the refused transfer', async () => {
    const watches = [
      [olena.name, olena.watch, [/^POST \/api\/v1\/queue\/entries\/\d+\/transfer 404$/]],
      [taras.name, taras.watch, []],
      [supervisor.name, supervisor.watch, []],
      [`${supervisor.name} (queue tab)`, supervisor.queueWatch, []],
    ];
    for (const [name, watch, expected] of watches) {
      assert.deepEqual(watch.errors, [], `${name}: no console errors (CSP violations included)`);
      assert.deepEqual(watch.foreign, [], `${name}: nothing loaded from elsewhere`);
      assert.deepEqual(unexpectedFailures(watch, expected), [], `${name}: no unexpected failed request`);
    }
    assert.equal(olena.watch.failed.filter((f) => / 404$/.test(f)).length, 1, 'the refused transfer was one request');
  });

  it('6. the server stops cleanly', async () => {
    const code = await server.stop();
    await browser.close();
    browser = null;
    assert.equal(code, 0, `exit ${JSON.stringify(server.exit)}; log:\n${server.stderr.slice(-4000)}`);
    for (const a of APPLICATIONS) assert.ok(!server.stderr.includes(a.contact), 'no contact in the server log');
  });
});
