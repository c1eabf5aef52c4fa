// The live queue through real browsers on a real server (GET /api/v1/events, server-sent events):
//   1. two operators log in (password change, TOTP enrolment) in two browser contexts, open the
//      queue and set themselves available, olena first: both have the default skills (en, ru,
//      uk; the presence route gives no others), so the routing rule at work is "idle longest";
//   2. a supervisor logs in and opens the wallboard;
//   3. an applicant (JavaScript off) applies in Ukrainian: within one second the offer is in
//      olena's console (banner, title, beep), never in taras's; the wallboard counts it;
//   4. olena accepts, opens the case, answers, comes back and completes: the wallboard counts
//      an answer and shows her in wrap-up;
//   5. a second application goes to taras (olena is in wrap-up), who rejects it: it waits in
//      both lines, its wait ticking; olena ends her wrap-up and it is offered to her at once;
//      she accepts and completes; the wallboard shows two offered, two answered, none waiting.
// Steps run in order; once one fails, the rest are skipped.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  consoleFirstLogin, fillApplication, screenshot, screenshotPrefix, steps, tid, unexpectedFailures, waitFigure,
  openQueueAs, serverAndBrowser, waitLive, watchPage,
} from '../lib/lifeline.mjs';

screenshotPrefix('live');

const RECEIPT = /\d{5}-\d{5}-\d{5}-\d{5}-\d{5}/;
const OLENA = { username: 'olena', role: 'operator', newPassword: 'оператор-пароль-олена-2024' };
const TARAS = { username: 'taras', role: 'operator', newPassword: 'оператор-пароль-тарас-2024' };
const SUPERVISOR = { username: 'iryna', role: 'supervisor', newPassword: 'супервізор-пароль-2024' };
const APPLICATIONS = [
  { unit: 'в/ч 41524, 2-й батальйон', contact: '@live_e2e_first', freeText: 'Хочу здатися. Нас троє, зв’язок увечері.' },
  { unit: 'в/ч 52331', contact: '@live_e2e_second', freeText: 'Прошу зв’язатися, я готовий скласти зброю.' },
];
const REPLY = 'Ми отримали вашу заявку. Збережіть код і чекайте на відповідь.';
const OFFER_WITHIN_MS = 1000;

async function waitPresenceCount(page, presence, value) {
  await page.locator(`${tid('wb-presence')}[data-presence="${presence}"][data-value="${value}"]`).waitFor({ timeout: 5000 });
}

describe('the live queue: offers, answers and the wallboard as they happen', { timeout: 240_000 }, () => {
  const env = serverAndBrowser('live', [OLENA, TARAS, SUPERVISOR]);
  const { server } = env;
  let browser;
  let base;
  let olena; // { context, page, watch }
  let taras;
  let supervisor;
  let applicant;
  const receipts = [];
  const step = steps();

  before(() => ({ browser, base } = env));

  /** Opens the application form in Ukrainian and fills it, ready to send. */
  async function fillForm(a) {
    const { page } = applicant;
    await fillApplication(page, base, a);
    assert.equal(await page.locator('html').getAttribute('lang'), 'uk');
  }

  /** Sends the filled form; returns when the POST was answered (Date.now() of the answer). */
  async function sendApplication() {
    const { page } = applicant;
    let answeredAt = 0;
    const [res] = await Promise.all([
      page.waitForResponse((r) => {
        const hit = r.request().method() === 'POST' && new URL(r.url()).pathname === '/apply';
        if (hit) answeredAt = Date.now();
        return hit;
      }),
      page.waitForEvent('load'),
      page.locator('form[action="/apply"] button[type="submit"]').click(),
    ]);
    assert.equal(res.status(), 200);
    const code = page.locator('p.receipt code');
    await code.waitFor();
    const receipt = (await code.textContent()).trim();
    assert.match(receipt, RECEIPT);
    receipts.push(receipt);
    return answeredAt;
  }

  /** Asserts that an offer shows up in `who`'s queue within OFFER_WITHIN_MS of `since`. */
  async function offerArrives(who, since) {
    const offer = who.page.locator(tid('offer-item'));
    await offer.first().waitFor({ timeout: OFFER_WITHIN_MS + 2000 });
    const elapsed = Date.now() - since;
    assert.ok(elapsed <= OFFER_WITHIN_MS, `the offer reached ${who.name} after ${elapsed} ms (at most ${OFFER_WITHIN_MS})`);
    assert.equal(await offer.count(), 1);
    return { offer, elapsed };
  }

  step('1. two operators log in, open the queue and become available, olena first', async () => {
    for (const [account, name] of [[OLENA, 'olena'], [TARAS, 'taras']]) {
      const who = await openQueueAs(browser, base, account, name);
      if (name === 'olena') olena = who;
      else taras = who;
      const { page } = who;
      await page.locator(`${tid('presence-current')}[data-presence="offline"]`).waitFor();
      assert.equal(await page.locator(tid('offer-list-empty')).isVisible(), true);
      await page.locator(tid('presence-select')).selectOption('available');
      await page.locator(`${tid('presence-current')}[data-presence="available"]`).waitFor();
      await screenshot(page, `${name}-available`);
    }
    assert.equal(await olena.page.locator(tid('waiting-empty')).isVisible(), true, 'nobody waits yet');
  });

  step('2. the supervisor opens the wallboard: two operators available, nothing yet today', async () => {
    const context = await browser.newContext({ locale: 'uk-UA' });
    const page = await context.newPage();
    supervisor = { context, page, watch: watchPage(page, base), name: 'iryna' };
    await consoleFirstLogin(page, base, SUPERVISOR);
    await page.locator(tid('nav-wallboard')).click();
    await page.locator(tid('wallboard-view')).waitFor();
    await waitLive(page);
    await waitPresenceCount(page, 'available', 2);
    await waitFigure(page, 'wb-offered', 0);
    await waitFigure(page, 'wb-answered', 0);
    await waitFigure(page, 'wb-waiting', 0);
    await screenshot(page, 'wallboard-start');
  });

  step('3. a Ukrainian application is offered to olena (idle longest) within a second, not to taras', async (t) => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'uk-UA' });
    const page = await context.newPage();
    applicant = { context, page, watch: watchPage(page, base) };
    await fillForm(APPLICATIONS[0]);
    const answeredAt = await sendApplication();
    const { offer, elapsed } = await offerArrives(olena, answeredAt);
    t.diagnostic(`offer shown ${elapsed} ms after the application was answered`);
    assert.match(await offer.getAttribute('data-case-id'), /^[1-9]\d*$/);
    olena.caseId = await offer.getAttribute('data-case-id');
    olena.entryId = await offer.getAttribute('data-entry-id');
    assert.equal(await offer.getAttribute('data-state'), 'offered');
    // The alert: banner, title, and a beep was played (or at least tried).
    const banner = olena.page.locator(tid('offer-alert'));
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-count'), '1');
    assert.ok(Number(await banner.getAttribute('data-beeps')) >= 1, 'the beep was started');
    assert.match(await olena.page.title(), /^\(1\) /, 'the title counts the offer');
    // The wait ticks in the page, without a reload.
    const wait = offer.locator(tid('offer-wait'));
    const first = await wait.textContent();
    await olena.page.waitForFunction(
      ([sel, before]) => document.querySelector(sel)?.textContent !== before,
      [`${tid('offer-item')} ${tid('offer-wait')}`, first],
      { timeout: 3000 },
    );
    await screenshot(olena.page, 'olena-offered');

    // Not to taras: no offer, no alert; the entry is not in the line either (it is offered).
    assert.equal(await taras.page.locator(tid('offer-item')).count(), 0);
    assert.equal(await taras.page.locator(tid('offer-alert')).isVisible(), false);
    assert.equal(await taras.page.locator(tid('waiting-row')).count(), 0);
    await screenshot(taras.page, 'taras-not-offered');

    // The wallboard: one offered, one waiting (being offered counts as waiting).
    await waitFigure(supervisor.page, 'wb-offered', 1);
    await waitFigure(supervisor.page, 'wb-waiting', 1);
    await screenshot(supervisor.page, 'wallboard-offered');
  });

  step('4. olena accepts, answers on the case and completes; the wallboard counts the answer', async () => {
    const { page } = olena;
    await page.locator(tid('offer-accept')).click();
    const active = page.locator(`${tid('active-item')}[data-entry-id="${olena.entryId}"]`);
    await active.waitFor();
    assert.equal(await page.locator(tid('offer-item')).count(), 0);
    await page.locator(tid('offer-alert')).waitFor({ state: 'hidden' });
    assert.doesNotMatch(await page.title(), /^\(\d+\) /, 'the title is plain again');
    await waitFigure(supervisor.page, 'wb-answered', 1);
    await waitFigure(supervisor.page, 'wb-connected', 1);
    await waitFigure(supervisor.page, 'wb-waiting', 0);
    await screenshot(page, 'olena-connected');
    await screenshot(supervisor.page, 'wallboard-answered');

    // The case, from the contact's link: the application is there; the answer goes out.
    await active.locator(tid('active-case-link')).click();
    await page.locator(`${tid('case-view')}[data-case-id="${olena.caseId}"]`).waitFor();
    assert.equal(await page.locator(`${tid('form-value')}[data-field="unit"]`).textContent(), APPLICATIONS[0].unit);
    await page.locator(tid('reply-text')).fill(REPLY);
    await page.locator(tid('reply-submit')).click();
    await page.locator(`${tid('message')}[data-kind="reply"]`).filter({ hasText: REPLY }).waitFor();
    await screenshot(page, 'olena-answered');

    await page.locator(tid('nav-queue')).click();
    await page.locator(`${tid('active-item')}[data-entry-id="${olena.entryId}"] ${tid('active-complete')}`).click();
    await page.locator(tid('active-list-empty')).waitFor({ state: 'visible' });
    await page.locator(`${tid('presence-current')}[data-presence="wrap_up"]`).waitFor();
    await waitFigure(supervisor.page, 'wb-connected', 0);
    await waitPresenceCount(supervisor.page, 'wrap_up', 1);
    await screenshot(page, 'olena-wrap-up');
  });

  step('5. the next goes to taras, who rejects it; it waits until olena ends her wrap-up', async (t) => {
    await fillForm(APPLICATIONS[1]);
    const answeredAt = await sendApplication();
    const { offer, elapsed } = await offerArrives(taras, answeredAt);
    t.diagnostic(`offer shown ${elapsed} ms after the application was answered`);
    const entryId = await offer.getAttribute('data-entry-id');
    assert.notEqual(entryId, olena.entryId);
    assert.equal(await olena.page.locator(tid('offer-item')).count(), 0, 'olena is in wrap-up: no offer');
    await waitFigure(supervisor.page, 'wb-offered', 2);
    await screenshot(taras.page, 'taras-offered');

    await taras.page.locator(tid('offer-reject')).click();
    await taras.page.locator(tid('offer-list-empty')).waitFor({ state: 'visible' });
    // Nobody can take it now (taras declined it, olena is wrapping up): it waits, in both lines.
    for (const who of [taras, olena]) {
      const row = who.page.locator(`${tid('waiting-row')}[data-entry-id="${entryId}"]`);
      await row.waitFor();
      assert.equal(await who.page.locator(tid('waiting-count')).getAttribute('data-count'), '1');
    }
    assert.equal(await olena.page.locator(`${tid('presence-current')}`).getAttribute('data-presence'), 'wrap_up');
    const wait = olena.page.locator(`${tid('waiting-row')} ${tid('waiting-wait')}`);
    const first = await wait.textContent();
    await olena.page.waitForFunction(
      ([sel, before]) => document.querySelector(sel)?.textContent !== before,
      [`${tid('waiting-row')} ${tid('waiting-wait')}`, first],
      { timeout: 3000 },
    );
    await waitFigure(supervisor.page, 'wb-waiting', 1);
    await screenshot(olena.page, 'olena-line-waiting');
    await screenshot(supervisor.page, 'wallboard-waiting');

    // Olena is ready before her wrap-up ends: the contact is offered to her at once.
    const readyAt = Date.now();
    await olena.page.locator(tid('presence-select')).selectOption('available');
    const { offer: second } = await offerArrives(olena, readyAt);
    assert.equal(await second.getAttribute('data-entry-id'), entryId);
    await taras.page.locator(tid('waiting-empty')).waitFor({ state: 'visible' });
    await second.locator(tid('offer-accept')).click();
    const active = olena.page.locator(`${tid('active-item')}[data-entry-id="${entryId}"]`);
    await active.waitFor();
    await active.locator(tid('active-complete')).click();
    await olena.page.locator(tid('active-list-empty')).waitFor({ state: 'visible' });

    await waitFigure(supervisor.page, 'wb-offered', 2);
    await waitFigure(supervisor.page, 'wb-answered', 2);
    await waitFigure(supervisor.page, 'wb-waiting', 0);
    await waitFigure(supervisor.page, 'wb-abandoned', 0);
    const sl = await supervisor.page.locator(tid('wb-service-level')).getAttribute('data-value');
    assert.ok(Number(sl) > 0 && Number(sl) <= 1, `service level ${sl}`);
    const asa = await supervisor.page.locator(tid('wb-asa')).getAttribute('data-value');
    assert.ok(Number(asa) >= 0, `average speed of answer ${asa}`);
    await screenshot(supervisor.page, 'wallboard-end');

    for (const who of [olena, taras, supervisor]) {
      assert.deepEqual(who.watch.errors, [], `${who.name}: no console errors (CSP violations included)`);
      assert.deepEqual(who.watch.foreign, [], `${who.name}: nothing loaded from elsewhere`);
      assert.deepEqual(unexpectedFailures(who.watch), [], `${who.name}: no request failed but the first GET /me`);
    }
  });

  step('6. the event stream carries ids only: nothing the applicants wrote', async () => {
    // Read a stream as the supervisor's browser would: a few seconds of it, while one more step happens.
    const text = await supervisor.page.evaluate(async () => {
      const controller = new AbortController();
      const res = await fetch('/api/v1/events', { signal: controller.signal });
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let out = '';
      const deadline = Date.now() + 2500;
      setTimeout(() => controller.abort(), 2600);
      // Something to hear: the supervisor sets himself away (a presence event).
      await fetch('/api/v1/me').then((r) => r.json()).then((me) =>
        fetch('/api/v1/queue/presence', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
          body: JSON.stringify({ presence: 'away' }),
        }));
      try {
        while (Date.now() < deadline) {
          const { value, done } = await reader.read();
          if (done) break;
          out += decoder.decode(value);
          if (out.includes('event: presence')) break;
        }
      } catch {
        // aborted
      }
      controller.abort();
      return out;
    });
    assert.match(text, /event: ready/);
    assert.match(text, /event: presence/);
    for (const a of APPLICATIONS) {
      for (const secret of [a.unit, a.contact, a.freeText]) assert.ok(!text.includes(secret));
    }
  });

  // Runs even after a failed step: the server must stop cleanly whatever happened, with live
  // streams open.
  it('7. the server stops cleanly on SIGTERM with event streams open', async () => {
    const code = await server.stop();
    await browser.close();
    browser = null;
    assert.equal(code, 0, `exit ${JSON.stringify(server.exit)}; log:\n${server.stderr.slice(-4000)}`);
    for (const r of receipts) assert.ok(!server.stderr.includes(r), 'no receipt in the server log');
    for (const a of APPLICATIONS) assert.ok(!server.stderr.includes(a.contact), 'no contact in the server log');
  });
});
