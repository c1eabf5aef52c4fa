import { LOCALE, S } from './strings';

const dateTime = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });

/** A Unix-millisecond timestamp as a local date and time. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return S.none;
  return dateTime.format(new Date(ms));
}

/** How long ago, short: "12 min", "3 h", "2 d". */
export function formatAge(ms: number, now = Date.now()): string {
  if (!Number.isFinite(ms)) return S.none;
  const minutes = Math.floor(Math.max(0, now - ms) / 60000);
  if (minutes < 1) return S.ageNow;
  if (minutes < 60) return S.ageMinutes(minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return S.ageHours(hours);
  return S.ageDays(Math.floor(hours / 24));
}

/** A form value as text (values are normally strings). */
export function valueText(v: unknown): string {
  if (v === null || v === undefined || v === '') return S.none;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** A duration as a clock: "0:07", "12:30", "1:02:03". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return S.none;
  const total = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}
