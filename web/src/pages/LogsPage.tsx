import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useEventStream } from '../api/events';
import { getLogs, logBatchOfEvent, MAX_LOG_LINES, NODE_EVENTS } from '../api/node';
import { copyText } from '../lib/clipboard';
import { errorText } from '../lib/errorText';
import { usePersistentFlag } from '../lib/usePersistentFlag';
import { filterPattern, initialLogs, LINE_COUNTS, logsReducer, visibleLines, type LogLine } from './logs/logState';
import '../styles/logs.css';

/** Lines asked for when the page opens (the reference's default). */
export const INITIAL_LINES = 500;
/** localStorage keys of the page's choices (the reference's names). */
export const LINE_COUNT_KEY = 'logs_line_count';
export const AUTO_SCROLL_KEY = 'logs_auto_scroll';

function readLineCount(): number {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(LINE_COUNT_KEY) ?? 'null');
    return LINE_COUNTS.some((n) => n === v) ? (v as number) : INITIAL_LINES;
  } catch {
    return INITIAL_LINES;
  }
}

function saveLineCount(n: number) {
  try {
    localStorage.setItem(LINE_COUNT_KEY, JSON.stringify(n));
  } catch {
    // kept for this visit only
  }
}
/** Scrolling further than this from the bottom turns auto-scroll off (reference §8.8). */
const SCROLL_SLACK_PX = 50;
const NOTICE_MS = 3000;

export const EMPTY_TEXT = 'No logs available. Start the node to generate logs.';

/**
 * Route /logs — the node's output (reference §8.8): the last lines once,
 * then live lines from node-log events. No polling: the reference re-read
 * the whole node.log every 2 s (§11.16).
 */
export function LogsPage() {
  const [state, dispatch] = useReducer(logsReducer, initialLogs);
  const [attempt, setAttempt] = useState(0);
  const [query, setQuery] = useState('');
  const [autoScroll, setAutoScroll] = usePersistentFlag(AUTO_SCROLL_KEY, true);
  const [lineCount, setLineCount] = useState(readLineCount);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const viewRef = useRef<HTMLDivElement>(null);
  const filterId = useId();
  const linesId = useId();

  useEffect(() => {
    let cancelled = false;
    dispatch({ type: 'loading' });
    getLogs(Math.min(lineCount, MAX_LOG_LINES)).then(
      (tail) => {
        if (!cancelled) dispatch({ type: 'loaded', lines: tail.lines, file: tail.file, now: Date.now(), max: lineCount });
      },
      (err: unknown) => {
        if (!cancelled) dispatch({ type: 'failed', error: errorText(err) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt, lineCount]);

  useEventStream('/api/events', {
    [NODE_EVENTS.log]: (ev) => {
      const batch = logBatchOfEvent(ev);
      if (batch) dispatch({ type: 'batch', lines: batch.lines, dropped: batch.dropped, now: Date.now() });
    },
  });

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  const pattern = useMemo(() => filterPattern(query), [query]);
  const visible = useMemo(() => visibleLines(state.lines, pattern), [state.lines, pattern]);
  const lastId = visible.at(-1)?.id ?? 0;

  const scrollToBottom = useCallback(() => {
    const el = viewRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, []);

  useLayoutEffect(() => {
    if (autoScroll) scrollToBottom();
  }, [autoScroll, lastId, visible.length, scrollToBottom]);

  // Scrolling up to read turns auto-scroll off; coming back to the bottom turns it on again.
  const onScroll = () => {
    const el = viewRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= SCROLL_SLACK_PX;
    if (atBottom !== autoScroll) setAutoScroll(atBottom);
  };

  const copy = () => {
    const text = visible.map((l) => l.text).join('\n');
    const n = visible.length;
    copyText(text).then(
      () => setNotice({ ok: true, text: `Copied ${n} ${n === 1 ? 'line' : 'lines'}.` }),
      (err: unknown) =>
        setNotice({
          ok: false,
          text: `Could not copy (${errorText(err)}): the clipboard is not available here — select the lines and copy them by hand.`,
        }),
    );
  };

  const total = state.lines.length;
  const count = pattern
    ? `${visible.length} of ${total} ${total === 1 ? 'line matches' : 'lines match'}`
    : `${total} ${total === 1 ? 'line' : 'lines'}`;
  const loading = state.phase === 'loading';

  return (
    <section className="page logs-page">
      <header className="page-header">
        <h1 className="page-title">Node Logs</h1>
        <div className="page-actions">
          <button type="button" disabled={loading} onClick={() => setAttempt((n) => n + 1)}>
            {loading && attempt > 0 ? 'Reloading…' : 'Reload'}
          </button>
          <button type="button" disabled={visible.length === 0} onClick={copy}>
            {pattern ? 'Copy Shown' : 'Copy All'}
          </button>
          <button type="button" disabled={total === 0} onClick={() => dispatch({ type: 'clear' })}>
            Clear Display
          </button>
        </div>
      </header>

      <p className="log-file">
        Log file:{' '}
        {state.file ? (
          <code>{state.file}</code>
        ) : (
          <span className="log-file-none">{state.phase === 'ready' ? 'none (output is kept in memory only)' : '…'}</span>
        )}
      </p>

      <div className="log-toolbar">
        <label htmlFor={filterId} className="visually-hidden">
          Filter log lines
        </label>
        <input
          id={filterId}
          type="search"
          className="log-filter"
          placeholder="Filter (case-insensitive)"
          value={query}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setQuery(e.target.value)}
        />
        <label htmlFor={linesId} className="log-lines-label">
          Lines
        </label>
        <select
          id={linesId}
          className="log-lines"
          value={lineCount}
          aria-describedby={lineCount > MAX_LOG_LINES ? `${linesId}-hint` : undefined}
          onChange={(e) => {
            const n = Number(e.target.value);
            saveLineCount(n);
            setLineCount(n);
          }}
        >
          {LINE_COUNTS.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <label className="log-autoscroll">
          <input type="checkbox" checked={autoScroll} onChange={(e) => setAutoScroll(e.target.checked)} /> Auto-scroll
        </label>
        <button
          type="button"
          className="small-button"
          onClick={() => {
            setAutoScroll(true);
            scrollToBottom();
          }}
        >
          Scroll to Bottom
        </button>
        <span className="log-count" data-testid="log-count" aria-live="polite">
          {count}
        </span>
      </div>

      {lineCount > MAX_LOG_LINES && (
        <p id={`${linesId}-hint`} className="log-lines-hint">
          The app keeps the node’s last {MAX_LOG_LINES} lines; this view grows to {lineCount} as new ones arrive.
          {state.file && ' Older lines are in the log file.'}
        </p>
      )}

      {notice && (
        <p className={notice.ok ? 'log-notice' : 'log-notice log-notice-error'} role="status">
          {notice.text}
        </p>
      )}

      {state.dropped > 0 && (
        <p className="log-dropped" role="status">
          {state.dropped} {state.dropped === 1 ? 'line was' : 'lines were'} left out of the live view because the node
          printed too fast; they are in the log file. Reload shows the latest lines.
        </p>
      )}

      {state.phase === 'error' && (
        <div className="error-banner error-message" role="alert">
          <p>Could not load the node log: {state.error}</p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </div>
      )}

      <div className="log-view" ref={viewRef} onScroll={onScroll} tabIndex={0} role="region" aria-label="Node log lines">
        {loading && total === 0 && <p className="empty-state">Loading logs…</p>}
        {state.phase === 'ready' && total === 0 && <p className="empty-state">{EMPTY_TEXT}</p>}
        {total > 0 && visible.length === 0 && <p className="empty-state">No lines match “{query}”.</p>}
        {visible.map((line) => (
          <LogRow key={line.id} line={line} pattern={pattern} />
        ))}
      </div>
    </section>
  );
}

/** One line, matches marked. Text only: node output is never treated as HTML. Memoised: a batch re-renders only its new rows. */
const LogRow = memo(function LogRow({ line, pattern }: { line: LogLine; pattern: RegExp | null }) {
  return (
    <div className="log-line">
      <span className="log-number" aria-hidden="true">
        {line.id}
      </span>
      <span className="log-text">{pattern ? highlight(line.text, pattern) : line.text}</span>
    </div>
  );
});

function highlight(text: string, pattern: RegExp) {
  // split with a capturing group: odd indices are the matches
  return text.split(pattern).map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part));
}
