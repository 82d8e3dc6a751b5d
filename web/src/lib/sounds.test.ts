import { describe, expect, it, vi } from 'vitest';
import { jsonResponse } from '../test/fakes';
import { SoundPlayer, soundURL } from './sounds';

type Call = [string, ...number[]];

/** Times add up in floating point (2 + 0.15 + 0.01); compare them to the nanosecond. */
const r = (n: number | undefined) => (n === undefined ? n : Math.round(n * 1e9) / 1e9);

/** Records what the player schedules: every AudioParam call with its time, every start/stop. */
class FakeParam {
  value = 1;
  calls: Call[] = [];
  setValueAtTime(v: number, t: number) {
    this.calls.push(['set', v, t]);
  }
  linearRampToValueAtTime(v: number, t: number) {
    this.calls.push(['linear', v, t]);
  }
  exponentialRampToValueAtTime(v: number, t: number) {
    this.calls.push(['exp', v, t]);
  }
}

class FakeNode {
  connectedTo: unknown[] = [];
  connect(n: unknown) {
    this.connectedTo.push(n);
    return n;
  }
}

class FakeOscillator extends FakeNode {
  type = '';
  frequency = new FakeParam();
  started = NaN;
  stopped = NaN;
  start(t: number) {
    this.started = t;
  }
  stop(t: number) {
    this.stopped = t;
  }
}

class FakeBufferSource extends FakeNode {
  buffer: unknown = null;
  started = false;
  start() {
    this.started = true;
  }
}

class FakeAudioContext {
  state: AudioContextState = 'running';
  currentTime = 2;
  destination = new FakeNode();
  oscillators: FakeOscillator[] = [];
  gains: { gain: FakeParam; node: FakeNode }[] = [];
  sources: FakeBufferSource[] = [];
  decoded: ArrayBuffer[] = [];
  decodeFails = false;
  resumeAllowed = true;
  resume = vi.fn(() => {
    if (this.resumeAllowed) this.state = 'running';
    return this.resumeAllowed ? Promise.resolve() : new Promise<void>(() => undefined);
  });
  createOscillator() {
    const o = new FakeOscillator();
    this.oscillators.push(o);
    return o;
  }
  createGain() {
    const g = Object.assign(new FakeNode(), { gain: new FakeParam() });
    this.gains.push({ gain: g.gain, node: g });
    return g;
  }
  createBufferSource() {
    const s = new FakeBufferSource();
    this.sources.push(s);
    return s;
  }
  decodeAudioData(data: ArrayBuffer) {
    this.decoded.push(data);
    return this.decodeFails ? Promise.reject(new DOMException('bad data', 'EncodingError')) : Promise.resolve({ duration: 1 });
  }
}

function player(ctx: FakeAudioContext | null, fetchFile = vi.fn(() => Promise.resolve(new Response(new Uint8Array([1, 2, 3]))))) {
  return { p: new SoundPlayer(() => ctx as unknown as AudioContext, fetchFile), fetchFile };
}

/** The notes as scheduled: [frequency, start, stop]. */
function notes(ctx: FakeAudioContext) {
  return ctx.oscillators.map((o) => [o.frequency.calls[0]?.[1], r(o.started), r(o.stopped)]);
}

describe('SoundPlayer tones', () => {
  it.each([
    ['startup', [523.25, 659.25, 783.99]],
    ['peer-connect', [440, 554.37]],
    ['download', [880, 987.77]],
  ] as const)('plays the %s tone as 150 ms sine notes one after the other', async (event, freqs) => {
    const ctx = new FakeAudioContext();
    const { p, fetchFile } = player(ctx);
    await expect(p.play(event, { volume: 1 })).resolves.toEqual({ played: 'tone' });
    expect(ctx.oscillators.every((o) => o.type === 'sine')).toBe(true);
    const t = ctx.currentTime;
    expect(notes(ctx)).toEqual(freqs.map((f, i) => [f, r(t + i * 0.15), r(t + (i + 1) * 0.15)]));
    expect(fetchFile).not.toHaveBeenCalled();
  });

  it('shapes each note: 0, up to volume × 0.3 in 10 ms, then exponentially to 0.01 at its end', async () => {
    const ctx = new FakeAudioContext();
    await player(ctx).p.play('peer-connect', { volume: 0.5 });
    const t = 2;
    expect(ctx.gains.map((g) => g.gain.calls.map(([op, ...nums]) => [op, ...nums.map(r)]))).toEqual([
      [
        ['set', 0, t],
        ['linear', 0.15, t + 0.01],
        ['exp', 0.01, t + 0.15],
      ],
      [
        ['set', 0, t + 0.15],
        ['linear', 0.15, t + 0.16],
        ['exp', 0.01, t + 0.3],
      ],
    ]);
    // oscillator → its gain → the speakers
    ctx.oscillators.forEach((o, i) => {
      expect(o.connectedTo).toEqual([ctx.gains[i]?.node]);
      expect(ctx.gains[i]?.node.connectedTo).toEqual([ctx.destination]);
    });
  });

  it('plays nothing at volume 0 and clamps a volume above 1', async () => {
    const ctx = new FakeAudioContext();
    const { p } = player(ctx);
    expect(await p.play('download', { volume: 0 })).toEqual({ played: 'nothing', reason: 'the volume is 0' });
    expect(ctx.oscillators).toHaveLength(0);
    await p.play('download', { volume: 7 });
    expect(ctx.gains[0]?.gain.calls[1]).toEqual(['linear', 0.3, 2.01]);
  });
});

describe('SoundPlayer without a usable context', () => {
  it('does not throw when the browser has no Web Audio', async () => {
    const { p } = player(null);
    expect(() => p.unlock()).not.toThrow();
    expect(await p.play('startup', { volume: 1 })).toEqual({ played: 'nothing', reason: 'this browser has no Web Audio' });
  });

  it('skips a sound while autoplay is blocked instead of queueing it, and plays once unlocked', async () => {
    const ctx = new FakeAudioContext();
    ctx.state = 'suspended';
    ctx.resumeAllowed = false;
    const { p } = player(ctx);
    const r = await p.play('startup', { volume: 1 });
    expect(r.played).toBe('nothing');
    expect(ctx.oscillators).toHaveLength(0);

    ctx.resumeAllowed = true; // a click
    p.unlock();
    expect(ctx.state).toBe('running');
    expect((await p.play('startup', { volume: 1 })).played).toBe('tone');
    expect(ctx.oscillators).toHaveLength(3);
  });
});

describe('SoundPlayer custom files', () => {
  it('fetches the event file once, decodes it once, and plays it at gain = volume', async () => {
    const ctx = new FakeAudioContext();
    const { p, fetchFile } = player(ctx);
    expect(await p.play('download', { volume: 0.4, customPath: '/s/done.ogg' })).toEqual({ played: 'custom' });
    expect(await p.play('download', { volume: 0.8, customPath: '/s/done.ogg' })).toEqual({ played: 'custom' });
    expect(fetchFile).toHaveBeenCalledTimes(1);
    expect(fetchFile).toHaveBeenCalledWith(soundURL('download'));
    expect(soundURL('download')).toBe('/api/notifications/sounds/download');
    expect(ctx.decoded).toHaveLength(1);
    expect(ctx.sources.map((s) => s.started)).toEqual([true, true]);
    expect(ctx.gains.map((g) => g.gain.value)).toEqual([0.4, 0.8]);
    expect(ctx.sources[0]?.connectedTo).toEqual([ctx.gains[0]?.node]);
    expect(ctx.oscillators).toHaveLength(0);

    // Another path is another file.
    await p.play('download', { volume: 1, customPath: '/s/other.ogg' });
    expect(fetchFile).toHaveBeenCalledTimes(2);
  });

  it('falls back to the tone with the server’s reason, and tries the file again next time', async () => {
    const ctx = new FakeAudioContext();
    const fetchFile = vi.fn(() => Promise.resolve(jsonResponse({ error: 'notifications.custom_startup_sound: no such file' }, 404)));
    const { p } = player(ctx, fetchFile);
    expect(await p.play('startup', { volume: 1, customPath: '/gone.mp3' })).toEqual({
      played: 'tone',
      customError: 'notifications.custom_startup_sound: no such file',
    });
    expect(notes(ctx).map((n) => n[0])).toEqual([523.25, 659.25, 783.99]);

    fetchFile.mockResolvedValueOnce(new Response(new Uint8Array([9])));
    expect(await p.play('startup', { volume: 1, customPath: '/gone.mp3' })).toEqual({ played: 'custom' });
  });

  it('falls back to the tone when the file does not decode or the app does not answer', async () => {
    const ctx = new FakeAudioContext();
    ctx.decodeFails = true;
    const { p } = player(ctx);
    expect(await p.play('peer-connect', { volume: 1, customPath: '/x.wav' })).toEqual({
      played: 'tone',
      customError: 'the file could not be decoded as audio',
    });
    const down = player(new FakeAudioContext(), vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    expect(await down.p.play('peer-connect', { volume: 1, customPath: '/x.wav' })).toEqual({
      played: 'tone',
      customError: 'the app did not answer (Failed to fetch)',
    });
  });
});
