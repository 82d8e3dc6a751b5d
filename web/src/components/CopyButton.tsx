import { useEffect, useState } from 'react';
import { copyText } from '../lib/clipboard';

type CopyState = 'idle' | 'copied' | 'failed';

const FEEDBACK_MS = 2000;

/**
 * "Copy" that says "✓ Copied" (or that it failed) for two seconds. what
 * completes the accessible name ("CID of report.pdf") for screen readers.
 */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), FEEDBACK_MS);
    return () => clearTimeout(timer);
  }, [state]);

  return (
    <button
      type="button"
      className={`copy-button copy-${state}`}
      onClick={() => {
        copyText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
      }}
    >
      {state === 'copied' ? '✓ Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
      {' '}
      <span className="visually-hidden">{what}</span>
    </button>
  );
}
