// The offer alert, on every screen: when a contact is offered to me a short beep (WebAudio), a
// banner with a link to the queue, and the count in the page title, until no offer is left.

import { api } from './api';
import { h } from './dom';
import { subscribe, topic } from './live';
import { href } from './router';
import { S } from './strings';

const alertText = h('p', { class: 'banner-text', testid: 'offer-alert-text' });
const openLink = h('a', { href: href.queue, testid: 'offer-alert-open' }, S.offerAlertOpen);
export const offerBanner = h('div', { class: 'banner offer', role: 'alert', testid: 'offer-alert', hidden: true, 'data-count': 0, 'data-beeps': 0 },
  alertText, openLink);

let count = 0;
let beeps = 0;
let titlePrefix = '';
let generation = 0;
let controller: AbortController | null = null;

// ---- Title -------------------------------------------------------------------

/** Keeps "(n) New contact · " in front of whatever title the screen sets. */
function applyTitle(): void {
  let base = document.title;
  if (titlePrefix && base.startsWith(titlePrefix)) base = base.slice(titlePrefix.length);
  titlePrefix = count > 0 ? `${S.offerTitle(count)} · ` : '';
  const want = titlePrefix + base;
  if (document.title !== want) document.title = want;
}

let titleObserver: MutationObserver | null = null;
function watchTitle(): void {
  if (titleObserver) return;
  if (!document.querySelector('title')) document.title = document.title || S.appTitle;
  const el = document.querySelector('title');
  if (!el) return;
  // Screens set document.title when they mount; the prefix is put back while offers are open.
  titleObserver = new MutationObserver(() => {
    if (count > 0 && !document.title.startsWith(titlePrefix)) applyTitle();
  });
  titleObserver.observe(el, { childList: true, characterData: true, subtree: true });
}

// ---- Sound -------------------------------------------------------------------

let audio: AudioContext | null = null;

/** A short two-tone beep; the audio context's state ('running', or 'suspended' if the browser refuses). */
function beep(): string {
  try {
    const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return 'unsupported';
    audio ??= new Ctor();
    if (audio.state === 'suspended') void audio.resume().catch(() => {});
    const t = audio.currentTime;
    for (const [freq, start] of [[880, 0], [1175, 0.18]] as const) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + start);
      gain.gain.exponentialRampToValueAtTime(0.25, t + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + start + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + start);
      osc.stop(t + start + 0.17);
    }
    return audio.state;
  } catch {
    return 'failed';
  }
}

// ---- Count -------------------------------------------------------------------

function show(n: number): void {
  count = n;
  offerBanner.hidden = n === 0;
  offerBanner.setAttribute('data-count', String(n));
  alertText.textContent = n > 0 ? S.offerAlert(n) : '';
  applyTitle();
}

async function refresh(signal: AbortSignal): Promise<void> {
  const gen = ++generation;
  try {
    const mine = await api.queueMine(signal);
    if (gen === generation && !signal.aborted) show(mine.offers.length);
  } catch {
    // The queue view reports errors; the alert only follows the count.
  }
}

/** Starts the alert for a session whose role takes contacts (queue.take). */
export function startOfferAlert(): void {
  stopOfferAlert();
  controller = new AbortController();
  const { signal } = controller;
  watchTitle();
  subscribe(topic.offer, () => {
    beeps += 1;
    offerBanner.setAttribute('data-beeps', String(beeps));
    offerBanner.setAttribute('data-sound', beep());
    // Shown at once; the count is checked against the server right after.
    show(Math.max(count, 0) + 1);
    void refresh(signal);
  }, signal);
  subscribe(topic.queueMine, () => void refresh(signal), signal);
  void refresh(signal);
}

/** Hides the alert at logout. */
export function stopOfferAlert(): void {
  controller?.abort();
  controller = null;
  generation += 1;
  show(0);
}

