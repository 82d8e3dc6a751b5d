import { describe, expect, it } from 'vitest';
import { formatBytes, percentOf } from './format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [1126, '1.1 KB'],
    [1234567, '1.18 MB'],
    [1048575, '1 MB'], // 1023.999 KB rounds up into the next unit
    [1048576, '1 MB'],
    [5 * 1024 ** 3, '5 GB'],
    [1.25 * 1024 ** 4, '1.25 TB'],
    [2048 * 1024 ** 4, '2048 TB'], // no unit past TB
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('shows unknown sizes as a dash', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('percentOf', () => {
  it('is whole, capped, and null for an unknown total', () => {
    expect(percentOf(1, 3)).toBe(33);
    expect(percentOf(3, 3)).toBe(100);
    expect(percentOf(4, 3)).toBe(100);
    expect(percentOf(5, -1)).toBeNull();
    expect(percentOf(0, 0)).toBeNull();
  });
});
