import { SickbayError } from './errors';

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a Docker-style size ("256m", "1g", "512k", "1048576") into bytes. */
export function parseBytes(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) throw new SickbayError('bad_request', `invalid size: ${value}`);
    return Math.floor(value);
  }
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg])?i?b?$/i.exec(value.trim());
  if (!match) throw new SickbayError('bad_request', `invalid size "${value}" (expected e.g. 256m, 1g)`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const bytes = Math.floor(Number(match[1]) * (UNITS[unit] ?? 1));
  if (bytes <= 0) throw new SickbayError('bad_request', `invalid size "${value}"`);
  return bytes;
}

/** Parses a duration ("90s", "2h", "15m", "500ms", or a number of ms) into milliseconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new SickbayError('bad_request', `invalid duration "${value}" (expected e.g. 30s, 15m, 2h)`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  return Math.round(Number(match[1]) * factor);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
