import { describe, expect, it } from 'vitest';
import { alreadyShown, filterPattern, initialLogs, logsReducer, MAX_LINES, SYNC_MS, visibleLines, type LogsState } from './logState';

const loaded = (lines: string[], now = 0): LogsState =>
  logsReducer(logsReducer(initialLogs, { type: 'loading' }), { type: 'loaded', lines, file: '/x/node.log', now });
const texts = (s: LogsState) => s.lines.map((l) => l.text);

describe('alreadyShown', () => {
  const tail = ['a', 'b', 'c', 'd'];
  it('finds a batch flushed before the tail was read', () => {
    expect(alreadyShown(tail, ['b', 'c'])).toBe(2);
  });
  it('finds the tail end a batch starts with', () => {
    expect(alreadyShown(tail, ['c', 'd', 'e'])).toBe(2);
    expect(alreadyShown(tail, ['d', 'e'])).toBe(1);
  });
  it('finds nothing in new lines', () => {
    expect(alreadyShown(tail, ['e', 'f'])).toBe(0);
    expect(alreadyShown([], ['e'])).toBe(0);
    expect(alreadyShown(tail, [])).toBe(0);
  });
});

describe('logsReducer', () => {
  it('keeps at most the chosen line count, from the tail on', () => {
    let s = logsReducer(logsReducer(initialLogs, { type: 'loading' }), { type: 'loaded', lines: ['a', 'b', 'c'], file: '', now: 0, max: 2 });
    expect(texts(s)).toEqual(['b', 'c']);
    s = logsReducer(s, { type: 'batch', lines: ['d'], dropped: 0, now: SYNC_MS + 1 });
    expect(texts(s)).toEqual(['c', 'd']);
    expect(s.lines.map((l) => l.id)).toEqual([3, 4]); // numbers stay the lines' own
  });

  it('merges batches that came while loading without repeating lines', () => {
    let s = logsReducer(initialLogs, { type: 'loading' });
    s = logsReducer(s, { type: 'batch', lines: ['b', 'c'], dropped: 0, now: 0 });
    s = logsReducer(s, { type: 'batch', lines: ['d', 'e'], dropped: 2, now: 0 });
    s = logsReducer(s, { type: 'loaded', lines: ['a', 'b', 'c', 'd'], file: '', now: 0 });
    expect(texts(s)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(s.lines.map((l) => l.id)).toEqual([1, 2, 3, 4, 5]);
    expect(s.dropped).toBe(2);
  });

  it('checks early batches against the tail, later ones not', () => {
    let s = loaded(['a', 'b']);
    s = logsReducer(s, { type: 'batch', lines: ['b', 'c'], dropped: 0, now: 100 });
    expect(texts(s)).toEqual(['a', 'b', 'c']);
    s = logsReducer(s, { type: 'batch', lines: ['b'], dropped: 0, now: SYNC_MS + 1 });
    expect(texts(s)).toEqual(['a', 'b', 'c', 'b']); // a real repeat, shown
  });

  it(`keeps at most ${MAX_LINES} lines, numbered stably`, () => {
    let s = loaded(Array.from({ length: MAX_LINES - 1 }, (_, i) => `l${i + 1}`));
    s = logsReducer(s, { type: 'batch', lines: ['x', 'y', 'z'], dropped: 0, now: SYNC_MS + 1 });
    expect(s.lines).toHaveLength(MAX_LINES);
    expect(s.lines[0]).toEqual({ id: 3, text: 'l3' });
    expect(s.lines.at(-1)).toEqual({ id: MAX_LINES + 2, text: 'z' });
  });
});

describe('filter', () => {
  it('matches literally and case-insensitively', () => {
    const lines = [
      { id: 1, text: 'ERROR a.b' },
      { id: 2, text: 'error axb' },
      { id: 3, text: 'İstanbul' },
    ];
    expect(visibleLines(lines, filterPattern('a.b')).map((l) => l.id)).toEqual([1]);
    expect(visibleLines(lines, filterPattern('Error')).map((l) => l.id)).toEqual([1, 2]);
    expect(visibleLines(lines, filterPattern(''))).toBe(lines);
    expect(visibleLines(lines, filterPattern('[('))).toEqual([]);
  });
});
