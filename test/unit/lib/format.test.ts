import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  formatExactBytes,
  formatRate,
  formatTimestamp,
  formatUnixTime,
  shortDigest,
} from '../../../src/lib/format';

describe('formatBytes', () => {
  it('uses SI units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 kB');
    expect(formatBytes(1_234_567)).toBe('1.23 MB');
    expect(formatBytes(243_500_000)).toBe('244 MB');
    expect(formatBytes(2_200_000_000)).toBe('2.20 GB');
  });
  it('shows a dash for unknown sizes', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatExactBytes', () => {
  it('groups digits and names the unit', () => {
    expect(formatExactBytes(1)).toBe('1 byte');
    expect(formatExactBytes(1_234_567)).toBe('1,234,567 bytes');
    expect(formatExactBytes(null)).toBe('unknown size');
  });
});

describe('formatRate and formatDuration', () => {
  it('formats throughput', () => {
    expect(formatRate(128_000_000)).toBe('128 MB/s');
    expect(formatRate(0)).toBe('—');
  });
  it('formats durations at each scale', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4_240)).toBe('4.2 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('shortDigest and formatTimestamp', () => {
  it('keeps the algorithm and 12 hex digits', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('sha256:abababababab');
    expect(shortDigest(null)).toBe('—');
  });
  it('shows UTC timestamps without fractions', () => {
    expect(formatTimestamp('2024-05-01T12:34:56.123456789Z')).toBe('2024-05-01 12:34:56 UTC');
    expect(formatTimestamp('not a date')).toBe('not a date');
  });
});

describe('formatUnixTime', () => {
  it('shows times before 1970, fractional and past 2038 and 2300 as dates', () => {
    expect(formatUnixTime(-315619200)).toBe('1960-01-01 00:00:00 UTC');
    expect(formatUnixTime(1735689600.5)).toBe('2025-01-01 00:00:00 UTC');
    expect(formatUnixTime(2147483648)).toBe('2038-01-19 03:14:08 UTC');
    expect(formatUnixTime(10413792000)).toBe('2300-01-01 00:00:00 UTC');
  });

  it('shows a time no calendar date can hold as the number of seconds, without throwing', () => {
    expect(formatUnixTime(2 ** 62)).toBe(`${2 ** 62} s since 1970`);
    expect(formatUnixTime(-(2 ** 60))).toBe(`${-(2 ** 60)} s since 1970`);
  });
});
