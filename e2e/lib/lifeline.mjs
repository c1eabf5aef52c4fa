// Helpers for the browser end-to-end tests: a throw-away lifeline server (init, users, serve,
// SIGTERM), Debian's Chromium through playwright-core, TOTP codes and numbered screenshots.
//
// Environment:
//   LIFELINE_BINARY   the lifeline binary (default: build/test/src/app/lifeline of this checkout)
//   E2E_OUTPUT        where screenshots and server logs go (default: build/test/e2e-output)
//   CHROMIUM          the browser (default: /usr/bin/chromium)
//   LIFELINE_FAST_KDF passed on to lifeline (default 1: cheap password hashing for tests)

import { execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { after, before, it } from 'node:test';

import { chromium } from 'playwright-core';

const execFileP = promisify(execFile);

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BINARY = process.env.LIFELINE_BINARY || join(PROJECT_ROOT, 'build/test/src/app/lifeline');
export const OUTPUT = process.env.E2E_OUTPUT || join(PROJECT_ROOT, 'build/test/e2e-output');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const CHILD_ENV = { ...process.env, LIFELINE_FAST_KDF: process.env.LIFELINE_FAST_KDF ?? '1' };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `lifeline ARGS`; rejects with its output when it exits non-zero. */
export async function lifeline(args, env = {}) {
  try {
    const { stdout, stderr } = await execFileP(BINARY, args, {
      env: { ...CHILD_ENV, ...env },
      timeout: 60_000,
      maxBuffer: 1 << 20,
    });
    return { stdout, stderr };
  } catch (e) {
    throw new Error(`lifeline ${args.join(' ')} failed (exit ${e.code}): ${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

function fieldOf(output, name) {
  const m = new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(output);
  if (!m) throw new Error(`no "${name}" in lifeline output:\n${output}`);
  return m[1];
}

/**
 * A data directory with its first administrator and the given accounts, and a server on it.
 * users: [{ username, role }] → accounts[username] = { username, role, password } (one-time).
 */
export class LifelineServer {
  constructor(name) {
    this.name = name;
    this.tmp = mkdtempSync(join(tmpdir(), 'lifeline-e2e-'));
    this.data = join(this.tmp, 'data');
    this.accounts = {};
    this.proc = null;
    this.port = 0;
    this.stdout = '';
    this.stderr = '';
    this.exit = null;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async init(users = []) {
    const out = await lifeline(['init', '--data', this.data]);
    this.adminPassword = fieldOf(out.stdout, 'one-time password');
    for (const { username, role } of users) {
      const r = await lifeline(['user', 'add', '--data', this.data, '--username', username, '--role', role], {
        LIFELINE_ADMIN_PASSWORD: this.adminPassword,
      });
      this.accounts[username] = { username, role, password: fieldOf(r.stdout, 'one-time password') };
    }
  }

  /** Starts `lifeline serve --listen 127.0.0.1:0` and waits for "listening on PORT". */
  async start(timeoutMs = 60_000) {
    const proc = spawn(BINARY, ['serve', '--data', this.data, '--listen', '127.0.0.1:0'], {
      env: CHILD_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolveExit) =>
      proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolveExit(this.exit);
      }),
    );
    this.port = await new Promise((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" within ${timeoutMs} ms:\n${this.stderr}`)), timeoutMs);
      proc.stdout.on('data', (d) => {
        this.stdout += d;
        const m = /listening on (\d+)/.exec(this.stdout);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      });
      proc.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`lifeline serve exited early (code ${code}, signal ${signal}):\n${this.stderr}`));
      });
      proc.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    return this.port;
  }

  /** SIGTERM, then waits for the exit; returns the exit code (null if killed by a signal). */
  async stop(timeoutMs = 30_000) {
    if (!this.proc) return null;
    if (!this.exit) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.saveLog();
    return this.exit.code;
  }

  saveLog() {
    try {
      mkdirSync(OUTPUT, { recursive: true });
      writeFileSync(join(OUTPUT, `server-${this.name}.log`), this.stderr);
    } catch {
      // The log is for people; a failure to write it must not hide the test's own result.
    }
  }

  /** Kills a server still running (after a failed test) and removes the data directory. */
  async cleanup() {
    if (this.proc && !this.exit) {
      this.proc.kill('SIGKILL');
      await this.exited;
      this.saveLog();
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

// ---- Browser ---------------------------------------------------------------

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium, headless, with a fresh temporary profile (playwright-core makes one). */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Records, for a page, every request that left the server's origin and every console error
 * (a Content-Security-Policy violation shows up as one).
 */
export function watchPage(page, origin) {
  const foreign = [];
  const errors = [];
  const failed = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin + '/') && !u.startsWith('data:')) foreign.push(u);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.request().method()} ${r.url().slice(origin.length)} ${r.status()}`);
  });
  page.on('console', (m) => {
    // Failed requests are listed, with their address, in `failed`.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { foreign, errors, failed };
}

let shotNumber = 0;
let shotPrefix = '';
/** Names this test file's screenshots "PREFIX-NN-name.png" (each file runs in its own process). */
export function screenshotPrefix(prefix) {
  shotPrefix = prefix ? `${prefix}-` : '';
}
/** A full-page PNG under E2E_OUTPUT named "[PREFIX-]NN-name.png", numbered in order; returns its path. */
export async function screenshot(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  shotNumber += 1;
  const file = join(OUTPUT, `${shotPrefix}${String(shotNumber).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---- TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) --------------------

export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of clean) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${JSON.stringify(c)}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totpAt(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 1_000_000).padStart(6, '0');
}

const lastStepUsed = new Map();
/**
 * A code for the secret that was not handed out before: codes are single-use, so a second
 * code within the same 30-second step waits for the next step. A step about to end is skipped
 * too, so the code is still current when the server checks it.
 */
export async function freshTotp(secret) {
  for (;;) {
    const now = Date.now();
    const step = Math.floor(now / 30_000);
    const left = (step + 1) * 30_000 - now;
    const used = lastStepUsed.get(secret) ?? -1;
    if (step > used && left > 3_000) {
      lastStepUsed.set(secret, step);
      return totpAt(secret, step);
    }
    await sleep(left + 50);
  }
}

// ---- Shared by the console tests ----

/** The selector of a data-testid. */
export const tid = (id) => `[data-testid="${id}"]`;

/**
 * A step function for one describe(): it() that is skipped once an earlier step of the same
 * sequence failed (the later ones depend on it).
 */
export function steps() {
  let failed = false;
  return (name, fn) =>
    it(name, async (t) => {
      if (failed) return t.skip('an earlier step failed');
      try {
        await fn(t);
      } catch (e) {
        failed = true;
        throw e;
      }
    });
}

/** Failed requests other than the console's first GET /me (does a session exist?) and the expected ones. */
export function unexpectedFailures(watch, expected = []) {
  return watch.failed.filter((f, i) =>
    !(f === 'GET /api/v1/me 401' && watch.failed.indexOf(f) === i) && !expected.some((re) => re.test(f)));
}

/**
 * Console first login to stage "active" without pictures: one-time password, new password, TOTP.
 * (hotline.test.mjs walks the same stages with a screenshot and a check at each.)
 */
export async function consoleFirstLogin(page, base, account) {
  await page.goto(`${base}/console/`);
  await page.locator(tid('login-username')).fill(account.username);
  await page.locator(tid('login-password')).fill(account.password);
  await page.locator(tid('login-submit')).click();
  await page.locator(tid('new-password')).waitFor();
  await page.locator(tid('new-password')).fill(account.newPassword);
  await page.locator(tid('password-submit')).click();
  const secretEl = page.locator(tid('totp-secret'));
  await secretEl.waitFor();
  const secret = (await secretEl.textContent()).trim();
  await page.locator(tid('totp-code')).fill(await freshTotp(secret));
  await page.locator(tid('totp-submit')).click();
  await page.locator(tid('whoami')).filter({ hasText: account.username }).waitFor();
}

/** The live stream of a console page is open. */
export async function waitLive(page) {
  await page.locator(`${tid('live-status')}[data-state="connected"]`).waitFor();
}

/** A figure on the wallboard reaches the value (it follows the events, no reload). */
export async function waitFigure(page, testid, value) {
  await page.locator(`${tid(testid)}[data-value="${value}"]`).waitFor({ timeout: 5000 });
}

/**
 * Registers the suite's before/after hooks: a lifeline server named `name` with these accounts
 * (each account's `password` set to its one-time password) and a Chromium. The returned object's
 * `server`, `browser` and `base` (the server's URL) are filled in once before() has run.
 */
export function serverAndBrowser(name, accounts) {
  const env = { server: new LifelineServer(name), browser: undefined, base: undefined };
  before(async () => {
    await env.server.init(accounts);
    for (const a of accounts) a.password = env.server.accounts[a.username].password;
    await env.server.start();
    env.base = env.server.url;
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server.cleanup();
  });
  return env;
}

/** Opens the application form in Ukrainian and fills unit, contact and free text, ready to send. */
export async function fillApplication(page, base, a) {
  await page.goto(`${base}/apply?lang=uk`);
  await page.locator('#f-unit').fill(a.unit);
  await page.locator('#f-contact').fill(a.contact);
  await page.locator('#f-free_text').fill(a.freeText);
}

/** A new Ukrainian browser context for `account`: first login, then the queue page, live. */
export async function openQueueAs(browser, base, account, name) {
  const context = await browser.newContext({ locale: 'uk-UA' });
  const page = await context.newPage();
  const who = { context, page, watch: watchPage(page, base), name };
  await consoleFirstLogin(page, base, account);
  await page.locator(tid('nav-queue')).click();
  await page.locator(tid('queue-view')).waitFor();
  await waitLive(page);
  return who;
}
