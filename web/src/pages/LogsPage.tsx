import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useEventStream } from '../api/events';
import { getLogs, logBatchOfEvent, NODE_EVENTS } from '../api/node';
import { copyText } from '../lib/clipboard';
import { errorText } from '../lib/errorText';
import {
  DEFAULT_LINES,
  filterPattern,
  initialLogs,
  LINE_COUNTS,
  logsReducer,
  visibleLines,
  type LineCount,
  type LogLine,
} from './logs/logState';
import '../styles/logs.css';

/** localStorage key of the Lines choice, as the reference kept it (a JSON number). */
export const LINE_COUNT_KEY = 'logs_line_count';
/** Scrolling further than this from the bottom turns auto-scroll off (reference §8.8). */
const SCROLL_SLACK_PX = 50;
const NOTICE_MS = 3000;

export const EMPTY_TEXT = 'No logs available. Start the node to generate logs.';

function readLineCount(): LineCount {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(LINE_COUNT_KEY) ?? 'null');
    return LINE_COUNTS.find((n) => n === v) ?? DEFAULT_LINES;
  } catch {
    return DEFAULT_LINES; // storage disabled or a hand-edited value: the default it is
  }
}

function saveLineCount(n: LineCount) {
  try {
    localStorage.setItem(LINE_COUNT_KEY, JSON.stringify(n));
  } catch {
    // kept for this visit only
  }
}

/**
 * Route /logs — the node's output (reference §8.8): the last lines once,
 * then live lines from node-log events, the newest Lines (100/500/1000) of
 * them kept. No polling: the reference re-read the whole node.log every
 * 2 s (§11.16).
 */
export function LogsPage() {
  const [lineCount, setLineCount] = useState<LineCount>(readLineCount);
  const [state, dispatch] = useReducer(logsReducer, lineCount, (limit) => ({ ...initialLogs, limit }));
  const [attempt, setAttempt] = useState(0);
  const [query, setQuery] = useState('');
  const [autoScroll, setAutoScroll] = useState(true);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const viewRef = useRef<HTMLDivElement>(null);
  const filterId = useId();
  const linesId = useId();

  useEffect(() => {
    let cancelled = false;
    dispatch({ type: 'loading' });
    getLogs(lineCount).then(
      (tail) => {
        if (!cancelled) dispatch({ type: 'loaded', lines: tail.lines, file: tail.file, now: Date.now() });
      },
      (err: unknown) => {
        if (!cancelled) dispatch({ type: 'failed', error: errorText(err) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt, lineCount]);

  const chooseLines = (n: LineCount) => {
    saveLineCount(n);
    setLineCount(n);
    // Fewer lines apply at once; the reload brings older lines in for more.
    dispatch({ type: 'limit', limit: n });
  };

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

  const onScroll = () => {
    const el = viewRef.current;
    if (!el || !autoScroll) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight > SCROLL_SLACK_PX) setAutoScroll(false);
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
  const count = pattern ? `showing ${visible.length} of ${total} lines` : `${total} ${total === 1 ? 'line' : 'lines'}`;
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
        <span className="log-lines">
          <label htmlFor={linesId}>Lines</label>
          <select
            id={linesId}
            value={lineCount}
            onChange={(e) => chooseLines(LINE_COUNTS.find((n) => String(n) === e.target.value) ?? DEFAULT_LINES)}
          >
            {LINE_COUNTS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </span>
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
