// Settings changed elsewhere (the Backup Server page's Enable, another tab,
// the CLI) while the page holds unsaved edits. Saving sends the whole
// config, so a stale draft would silently undo those changes; rebasing the
// draft keeps the user's edits and takes everything else from the new config.
import type { Config } from '../../api/config';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A three-way merge by key: where the draft still has the old value, the new
 * one wins; where the user edited it, the edit stays. Lists count as one
 * value (an edited list of source peers is kept whole).
 */
export function rebaseDraft(old: Config, next: Config, draft: Config): Config {
  return merge(old, next, draft) as Config;
}

function merge(old: unknown, next: unknown, draft: unknown): unknown {
  if (isObj(old) && isObj(next) && isObj(draft)) {
    const out: Obj = {};
    for (const k of new Set([...Object.keys(next), ...Object.keys(draft)])) {
      out[k] = merge(old[k], next[k], draft[k]);
    }
    return out;
  }
  return same(draft, old) ? next : draft;
}
