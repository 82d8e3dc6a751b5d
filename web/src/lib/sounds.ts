// Notification sounds (reference §8.10): the reference's built-in tones,
// synthesised with Web Audio, or a custom file the backend serves from the
// path in config.toml. Nothing here throws: a browser without Web Audio, a
// blocked autoplay or a broken file means a missing sound, never a broken page.

/** The three events that have a sound; also the path segment of their custom file's URL. */
export type SoundEvent = 'startup' | 'peer-connect' | 'download';

/** The reference's default tones: notes in Hz, played one after the other. */
export const TONES: Readonly<Record<SoundEvent, readonly number[]>> = {
  startup: [523.25, 659.25, 783.99], // C5 E5 G5
  'peer-connect': [440, 554.37], // A4 C#5
  download: [880, 987.77], // A5 B5
};

/** Length of each note, seconds. */
export const NOTE_SECONDS = 0.15;
/** The attack: from silence to the peak in this long. */
export const ATTACK_SECONDS = 0.01;
/** The peak is volume × this: a sine at full scale is unpleasantly loud. */
export const PEAK_SCALE = 0.3;
/** Where the exponential decay ends (it cannot reach 0). */
export const DECAY_FLOOR = 0.01;

/** The custom sound of an event, as the backend serves it (GET /api/notifications/sounds/{event}). */
export function soundURL(event: SoundEvent): string {
  return `/api/notifications/sounds/${event}`;
}

/** What a play did: the custom file, the tone (with why the file was not used), or nothing. */
export type PlayResult =
  | { played: 'custom' }
  | { played: 'tone'; customError?: string }
  | { played: 'nothing'; reason: string };

export interface PlayOptions {
  /** 0..1 */
  volume: number;
  /** The configured custom file; "" plays the tone. Keys the cache, so a new path is fetched again. */
  customPath?: string;
}

/** Makes the AudioContext; null when the browser has no Web Audio. */
export type ContextFactory = () => AudioContext | null;

function browserContext(): AudioContext | null {
  const g = globalThis as { AudioContext?: typeof AudioContext; webkitAudioContext?: typeof AudioContext };
  const Ctor = g.AudioContext ?? g.webkitAudioContext;
  if (!Ctor) return null;
  try {
    return new Ctor();
  } catch {
    return null; // e.g. too many contexts, or audio disabled by policy
  }
}

/**
 * Plays the notification sounds through one AudioContext, made on first
 * use. Browsers keep a context suspended until the user has interacted with
 * the page: unlock() resumes it from a click or key press, and a sound asked
 * for while it is still suspended is skipped rather than queued — a startup
 * chime that plays a minute late, on the first click, would be wrong.
 */
export class SoundPlayer {
  private ctx: AudioContext | null | undefined;
  private buffers = new Map<string, Promise<AudioBuffer>>();

  constructor(
    private readonly makeContext: ContextFactory = browserContext,
    private readonly fetchFile: (url: string) => Promise<Response> = (url) => fetch(url, { credentials: 'same-origin' }),
  ) {}

  private context(): AudioContext | null {
    if (this.ctx === undefined) this.ctx = this.makeContext();
    return this.ctx;
  }

  /** Resume audio from a user gesture (the only moment a browser allows it). */
  unlock(): void {
    const ctx = this.context();
    if (ctx && ctx.state === 'suspended') ctx.resume().catch(() => undefined);
  }

  /** Play the event's custom file if one is set and usable, else its tone. */
  async play(event: SoundEvent, { volume, customPath = '' }: PlayOptions): Promise<PlayResult> {
    const ctx = this.context();
    if (!ctx) return { played: 'nothing', reason: 'this browser has no Web Audio' };
    if (ctx.state === 'suspended') {
      // Resolves at once where autoplay is allowed (the desktop webview).
      await Promise.race([ctx.resume().catch(() => undefined), new Promise((r) => setTimeout(r, 50))]);
      if ((ctx.state as AudioContextState) !== 'running') {
        return { played: 'nothing', reason: 'the browser blocks sound until you click or press a key on the page' };
      }
    }
    const gain = clampVolume(volume);
    if (gain === 0) return { played: 'nothing', reason: 'the volume is 0' };
    let customError: string | undefined;
    if (customPath !== '') {
      try {
        const buffer = await this.buffer(ctx, event, customPath);
        playBuffer(ctx, buffer, gain);
        return { played: 'custom' };
      } catch (err) {
        customError = err instanceof Error ? err.message : String(err);
      }
    }
    playTone(ctx, TONES[event], gain);
    return customError === undefined ? { played: 'tone' } : { played: 'tone', customError };
  }

  /** The decoded custom file, fetched once per event and path; a failure is not kept, so a fixed file is tried again. */
  private buffer(ctx: AudioContext, event: SoundEvent, path: string): Promise<AudioBuffer> {
    const key = `${event}\n${path}`;
    let p = this.buffers.get(key);
    if (!p) {
      p = this.load(ctx, event);
      this.buffers.set(key, p);
      p.catch(() => this.buffers.delete(key));
    }
    return p;
  }

  private async load(ctx: AudioContext, event: SoundEvent): Promise<AudioBuffer> {
    let res: Response;
    try {
      res = await this.fetchFile(soundURL(event));
    } catch (err) {
      throw new Error(`the app did not answer (${err instanceof Error ? err.message : String(err)})`);
    }
    if (!res.ok) throw new Error(await errorOf(res));
    const data = await res.arrayBuffer();
    try {
      return await ctx.decodeAudioData(data);
    } catch {
      throw new Error('the file could not be decoded as audio');
    }
  }
}

function clampVolume(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

/** Each note: 0 → volume×PEAK_SCALE in ATTACK_SECONDS, then exponentially to DECAY_FLOOR at the note's end. */
function playTone(ctx: AudioContext, notes: readonly number[], volume: number) {
  const start = ctx.currentTime;
  notes.forEach((freq, i) => {
    const t0 = start + i * NOTE_SECONDS;
    const end = t0 + NOTE_SECONDS;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(freq, t0);
    gain.gain.setValueAtTime(0, t0);
    gain.gain.linearRampToValueAtTime(volume * PEAK_SCALE, t0 + ATTACK_SECONDS);
    gain.gain.exponentialRampToValueAtTime(DECAY_FLOOR, end);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(t0);
    osc.stop(end);
  });
}

function playBuffer(ctx: AudioContext, buffer: AudioBuffer, volume: number) {
  const src = ctx.createBufferSource();
  const gain = ctx.createGain();
  src.buffer = buffer;
  gain.gain.value = volume;
  src.connect(gain);
  gain.connect(ctx.destination);
  src.start();
}

async function errorOf(res: Response): Promise<string> {
  try {
    const body: unknown = await res.json();
    if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: fall through to the status
  }
  return `${res.status} ${res.statusText || 'request failed'}`;
}

/** The app's one player: the notification hook and the Settings page's Test buttons share its context and cache. */
export const sounds = new SoundPlayer();
