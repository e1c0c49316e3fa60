/**
 * A short fingerprint of a token: six hex digits of its FNV-1a hash. Enough to tell two
 * tokens apart on screen; useless for rebuilding either. The token itself is never shown.
 */
export function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0').slice(0, 6);
}

/** `14:05` for a countdown; never negative. */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** `+10.0 s` or `+14 min`, relative to the start of the story. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '−' : '+';
  const abs = Math.abs(ms);
  if (abs >= 120_000) return `${sign}${(abs / 60_000).toFixed(abs % 60_000 === 0 ? 0 : 1)} min`;
  return `${sign}${(abs / 1000).toFixed(1)} s`;
}

/** `09:14:00 UTC`: the demo clock is shown in UTC so every visitor (and screenshot) sees the same. */
export function formatClockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/** `1.5 s`, `10 s`, `14 min`: whole seconds unless the tenths matter. */
export function formatDuration(ms: number): string {
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} min`;
  const seconds = ms / 1000;
  const whole = Math.round(seconds);
  return seconds >= 10 || Math.abs(seconds - whole) < 0.05 ? `${whole} s` : `${seconds.toFixed(1)} s`;
}
