// The console is served under a Content-Security-Policy without 'unsafe-inline' (and it still
// works under it in a browser); the public pages carry no <script> tag at all.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launchBrowser, LifelineServer, screenshot, screenshotPrefix, watchPage } from '../lib/lifeline.mjs';

screenshotPrefix('headers');

function assertStrictCsp(res, what) {
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, `${what}: no Content-Security-Policy header`);
  assert.doesNotMatch(csp, /unsafe-inline/, `${what}: ${csp}`);
  assert.doesNotMatch(csp, /unsafe-eval/, `${what}: ${csp}`);
  assert.match(csp, /script-src 'self'/, `${what}: ${csp}`);
  return csp;
}

describe('served pages', { timeout: 120_000 }, () => {
  const server = new LifelineServer('headers');

  before(async () => {
    await server.init();
    await server.start();
  });

  after(async () => {
    await server.cleanup();
  });

  it('console pages and assets carry a CSP without unsafe-inline, and the console runs under it', async () => {
    const index = await fetch(`${server.url}/console/`);
    assert.equal(index.status, 200);
    assertStrictCsp(index, '/console/');
    const html = await index.text();
    assert.match(html, /id="app"/);
    // Nothing inline: scripts and styles come from files.
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'an inline <script>');
    assert.doesNotMatch(html, /<style/i, 'an inline <style>');
    assert.doesNotMatch(html, /\sstyle=/i, 'a style attribute');
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.endsWith('.js')), `no script asset in ${html}`);
    for (const path of ['/console', '/console/index.html', ...assets]) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, path);
      assertStrictCsp(res, path);
    }
    const api = await fetch(`${server.url}/api/v1/me`);
    assert.equal(api.status, 401);
    assertStrictCsp(api, '/api/v1/me');

    // In a browser the console starts and shows its login form with no CSP violation.
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext()).newPage();
      const watch = watchPage(page, server.url);
      await page.goto(`${server.url}/console/`);
      await page.locator('[data-testid="login-username"]').waitFor();
      await screenshot(page, 'console-login-under-csp');
      assert.deepEqual(watch.errors.filter((e) => /Content Security Policy|Refused/i.test(e)), []);
      assert.deepEqual(watch.foreign, []);
    } finally {
      await browser.close();
    }
  });

  it('public pages have no <script> tag and a CSP too', async () => {
    for (const path of ['/', '/?lang=en', '/?lang=uk', '/apply', '/inquiry', '/followup', '/channels']) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/, path);
      const html = await res.text();
      assert.doesNotMatch(html, /<script/i, `${path} carries a <script> tag`);
      assert.doesNotMatch(html, /\son[a-z]+=/i, `${path} carries an inline event handler`);
      assertStrictCsp(res, path);
    }
    const css = await fetch(`${server.url}/static/site.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  });

  it('the server stops cleanly on SIGTERM', async () => {
    const code = await server.stop();
    assert.equal(code, 0, `exit ${JSON.stringify(server.exit)}; log:\n${server.stderr.slice(-4000)}`);
  });
});
