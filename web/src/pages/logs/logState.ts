// The Logs page's lines: a tail loaded once (GET /api/node/logs) and the
// node-log events after it. Pure, so the merging rules can be tested alone.

/** Most lines kept in memory; older ones fall off the top. */
export const MAX_LINES = 5000;

/** The "Lines" choices (reference §8.8); the view keeps at most that many. */
export const LINE_COUNTS = [100, 500, 1000, 5000] as const;

/**
 * How long after the tail arrives new batches are still checked against it.
 * The backend flushes node-log events every 250 ms, so a batch that was
 * still pending when the tail was read arrives within this window and
 * starts with lines the tail already has.
 */
export const SYNC_MS = 1500;

export interface LogLine {
  /** Stable through trimming: the line's number in this view (and React key). */
  id: number;
  text: string;
}

export interface LogsState {
  phase: 'loading' | 'ready' | 'error';
  error: string | null;
  /** node.log's path; "" when unknown or memory only. */
  file: string;
  lines: LogLine[];
  nextId: number;
  /** Lines the backend reported dropped from events (they are in node.log). */
  dropped: number;
  /** Most lines kept: the chosen line count, at most MAX_LINES. */
  max: number;
  /** Batches that came while the tail was loading. */
  pending: string[][];
  /** The tail as loaded: early batches are checked against it until syncUntil. */
  tail: string[];
  syncUntil: number;
}

export type LogsAction =
  | { type: 'loading' }
  | { type: 'loaded'; lines: string[]; file: string; now: number; max?: number }
  | { type: 'failed'; error: string }
  | { type: 'batch'; lines: string[]; dropped: number; now: number }
  | { type: 'clear' };

export const initialLogs: LogsState = {
  phase: 'loading',
  error: null,
  file: '',
  lines: [],
  nextId: 1,
  dropped: 0,
  max: MAX_LINES,
  pending: [],
  tail: [],
  syncUntil: 0,
};

export function logsReducer(state: LogsState, action: LogsAction): LogsState {
  switch (action.type) {
    case 'loading':
      return { ...state, phase: 'loading', error: null, pending: [] };
    case 'loaded': {
      let next: LogsState = {
        ...state,
        phase: 'ready',
        error: null,
        file: action.file,
        lines: [],
        nextId: state.nextId,
        max: Math.min(action.max ?? state.max, MAX_LINES),
        pending: [],
        tail: action.lines,
        syncUntil: action.now + SYNC_MS,
      };
      next = append(next, action.lines);
      for (const batch of state.pending) next = append(next, batch.slice(alreadyShown(action.lines, batch)));
      return next;
    }
    case 'failed':
      return { ...state, phase: 'error', error: action.error };
    case 'batch': {
      const dropped = state.dropped + action.dropped;
      if (state.phase !== 'ready') {
        // Held until the tail arrives (or, after a failed load, until a retry
        // loads one, which will contain these lines).
        return { ...state, dropped, pending: state.phase === 'loading' ? [...state.pending, action.lines] : state.pending };
      }
      const fresh = action.now < state.syncUntil ? action.lines.slice(alreadyShown(state.tail, action.lines)) : action.lines;
      return append({ ...state, dropped }, fresh);
    }
    case 'clear':
      return { ...state, lines: [], dropped: 0, tail: [], syncUntil: 0 };
  }
}

function append(state: LogsState, texts: readonly string[]): LogsState {
  if (texts.length === 0) return state;
  const added = texts.map((text, i) => ({ id: state.nextId + i, text }));
  const all = state.lines.length + added.length > state.max ? [...state.lines, ...added].slice(-state.max) : [...state.lines, ...added];
  return { ...state, lines: all, nextId: state.nextId + texts.length };
}

/**
 * How many leading lines of a batch the loaded tail already shows. Without
 * sequence numbers from the backend this is a best guess: a batch found
 * whole inside the tail was flushed before the tail was read (all of it);
 * otherwise the longest end of the tail that the batch starts with were
 * pending when the tail was read.
 */
export function alreadyShown(tail: readonly string[], batch: readonly string[]): number {
  if (batch.length === 0 || tail.length === 0) return 0;
  if (containsRun(tail, batch)) return batch.length;
  for (let k = Math.min(batch.length, tail.length); k > 0; k--) {
    let match = true;
    for (let i = 0; i < k; i++) {
      if (tail[tail.length - k + i] !== batch[i]) {
        match = false;
        break;
      }
    }
    if (match) return k;
  }
  return 0;
}

function containsRun(hay: readonly string[], run: readonly string[]): boolean {
  outer: for (let start = 0; start + run.length <= hay.length; start++) {
    for (let i = 0; i < run.length; i++) {
      if (hay[start + i] !== run[i]) continue outer;
    }
    return true;
  }
  return false;
}

/** A case-insensitive literal matcher for the filter, or null for an empty filter. */
export function filterPattern(query: string): RegExp | null {
  if (query === '') return null;
  return new RegExp(`(${query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`, 'giu');
}

/** The lines that match (all without a pattern). */
export function visibleLines(lines: readonly LogLine[], pattern: RegExp | null): readonly LogLine[] {
  if (!pattern) return lines;
  const test = new RegExp(pattern.source, 'iu'); // no g: test() would carry lastIndex between lines
  return lines.filter((l) => test.test(l.text));
}
