import { act, render, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotificationsConfig } from '../api/config';
import { showDesktop } from '../lib/desktopNotify';
import type { PlayOptions, SoundEvent, SoundPlayer } from '../lib/sounds';
import { DEVICE_PEER_ID, deviceJSON, FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../test/fakes';
import { CONFIG_CHANGED, useNotifications, type NotificationDeps } from './useNotifications';

const ON: NotificationsConfig = {
  sound_enabled: true,
  sound_on_startup: true,
  sound_on_peer_connect: true,
  sound_on_download: true,
  sound_volume: 0.5,
  custom_startup_sound: '',
  custom_peer_connect_sound: '',
  custom_download_sound: '/home/u/done.ogg',
  desktop_enabled: true,
  desktop_on_backup_finished: true,
  desktop_on_backup_failed: true,
  desktop_on_peer_connect: true,
};

/** A config view around the notification settings (the other sections as checkView needs them). */
function configBody(n: NotificationsConfig) {
  return {
    config: { theme: 'system', node: {}, sync: {}, notifications: n, backup_server: {}, manifest_server: {} },
    path: '/c/config.toml',
    broken: null,
  };
}

class FakePlayer {
  played: [SoundEvent, PlayOptions][] = [];
  unlocked = 0;
  unlock() {
    this.unlocked++;
  }
  play(event: SoundEvent, opts: PlayOptions) {
    this.played.push([event, opts]);
    return Promise.resolve({ played: 'tone' as const });
  }
}

/** Records what new Notification(...) is asked to show. */
class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static shown: { title: string; body?: string; tag?: string }[] = [];
  static requestPermission = vi.fn(() => Promise.resolve(FakeNotification.permission));
  constructor(title: string, opts?: NotificationOptions) {
    FakeNotification.shown.push({ title, body: opts?.body, tag: opts?.tag });
  }
}

function Probe(deps: NotificationDeps) {
  useNotifications(deps);
  return null;
}

let settings: NotificationsConfig;
let configReads: number;
let player: FakePlayer;

function mount() {
  const r = render(<Probe player={player as unknown as SoundPlayer} notify={showDesktop} />);
  return { ...r, source: FakeEventSource.instances.at(-1)! };
}

function emit(source: FakeEventSource, type: string, data?: unknown) {
  act(() => source.emit(type, { type, time: '2025-01-01T00:00:00Z', data }));
}

beforeEach(() => {
  installFakeEventSource();
  settings = { ...ON };
  configReads = 0;
  player = new FakePlayer();
  FakeNotification.shown = [];
  FakeNotification.permission = 'granted';
  vi.stubGlobal('Notification', FakeNotification);
  stubFetch((url) => {
    if (url === '/api/config') {
      configReads++;
      return Promise.resolve(jsonResponse(configBody(settings)));
    }
    if (url === `/api/devices/${DEVICE_PEER_ID}`) return Promise.resolve(jsonResponse(deviceJSON({ nickname: '<b>Laptop</b>' })));
    if (url.startsWith('/api/devices/')) return Promise.resolve(jsonResponse({ error: 'not a paired device' }, 404));
    return Promise.resolve(jsonResponse({ error: 'unexpected' }, 500));
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  delete (globalThis as { runtime?: unknown }).runtime;
});

describe('useNotifications sounds', () => {
  it('plays each event’s sound with the volume and custom file from the settings', async () => {
    const { source } = mount();
    await waitFor(() => expect(configReads).toBe(1));
    emit(source, 'node-started');
    emit(source, 'file-downloaded', 'zDvZRwzmAbc');
    expect(player.played).toEqual([
      ['startup', { volume: 0.5, customPath: '' }],
      ['download', { volume: 0.5, customPath: '/home/u/done.ogg' }],
    ]);
  });

  it('honours the master switch and the per-event switches', async () => {
    settings = { ...ON, sound_on_download: false };
    const { source } = mount();
    await waitFor(() => expect(configReads).toBe(1));
    emit(source, 'file-downloaded', 'zDv');
    emit(source, 'node-started');
    expect(player.played.map((p) => p[0])).toEqual(['startup']);

    settings = { ...ON, sound_enabled: false };
    emit(source, CONFIG_CHANGED, ['notifications.sound_enabled']);
    await waitFor(() => expect(configReads).toBe(2));
    await act(async () => {}); // the read lands
    emit(source, 'node-started');
    expect(player.played).toHaveLength(1);
  });

  it('follows a settings change at once on config-changed, without polling', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { source } = mount();
      await waitFor(() => expect(configReads).toBe(1));
      await act(async () => {
        await vi.advanceTimersByTimeAsync(60_000);
      });
      expect(configReads).toBe(1);

      settings = { ...ON, sound_volume: 0.9 };
      emit(source, CONFIG_CHANGED, ['notifications.sound_volume']);
      await waitFor(() => expect(configReads).toBe(2));
      await act(async () => {});
      emit(source, 'node-started');
      expect(player.played).toEqual([['startup', { volume: 0.9, customPath: '' }]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads the settings again after the stream reconnects, not on the first hello', async () => {
    const { source } = mount();
    await waitFor(() => expect(configReads).toBe(1));
    emit(source, 'hello', {});
    expect(configReads).toBe(1);
    emit(source, 'hello', {});
    await waitFor(() => expect(configReads).toBe(2));
  });

  it('plays nothing before the settings are known', () => {
    stubFetch(() => new Promise(() => undefined));
    const { source } = mount();
    emit(source, 'node-started');
    expect(player.played).toHaveLength(0);
  });

  it('resumes audio on the first pointer or key event only', () => {
    mount();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    window.dispatchEvent(new PointerEvent('pointerdown'));
    expect(player.unlocked).toBe(1);
  });

  it('makes no audio context for clicks while sounds are off', async () => {
    settings = { ...ON, sound_enabled: false };
    const { source } = mount();
    await waitFor(() => expect(configReads).toBe(1));
    await act(async () => {});
    window.dispatchEvent(new PointerEvent('pointerdown'));
    expect(player.unlocked).toBe(0);

    settings = { ...ON };
    emit(source, CONFIG_CHANGED, ['notifications.sound_enabled']);
    await waitFor(() => expect(configReads).toBe(2));
    await act(async () => {});
    window.dispatchEvent(new PointerEvent('pointerdown'));
    expect(player.unlocked).toBe(1);
  });

  it('chimes for a paired device connecting, not for other peers', async () => {
    const { source } = mount();
    await waitFor(() => expect(configReads).toBe(1));
    emit(source, 'peer-connected', '16Uiu2HAmSomeoneElseEntirely');
    emit(source, 'peer-connected', DEVICE_PEER_ID);
    await waitFor(() => expect(player.played.map((p) => p[0])).toEqual(['peer-connect']));
  });
});

describe('useNotifications desktop notifications', () => {
  it('shows backup finished and failed with the folder name as text', async () => {
    const { source } = mount();
    await waitFor(() => expect(configReads).toBe(1));
    emit(source, 'backup-finished', { folderId: 'f1', folderName: 'Photos', sequence: 7 });
    emit(source, 'backup-failed', { folderId: 'f1', folderName: 'Photos', file: 'a/b.jpg', error: 'node not running' });
    emit(source, 'backup-failed', { folderId: 'f2', folderName: '<img src=x onerror=alert(1)>', error: 'telling the backup server: refused' });
    expect(FakeNotification.shown).toEqual([
      { title: 'Backup finished', body: 'Photos: version 7 is stored on your backup server.', tag: 'backup:f1' },
      {
        title: 'Backup failed',
        body: 'a/b.jpg in Photos could not be backed up: node not running. It is retried automatically.',
        tag: 'backup:f1',
      },
      {
        title: 'Backup failed',
        body: '<img src=x onerror=alert(1)> could not be backed up: telling the backup server: refused. It is retried automatically.',
        tag: 'backup:f2',
      },
    ]);
  });

  it('names the paired device that connected', async () => {
    const { source } = mount();
    await waitFor(() => expect(configReads).toBe(1));
    emit(source, 'peer-connected', DEVICE_PEER_ID);
    await waitFor(() =>
      expect(FakeNotification.shown).toEqual([
        { title: 'Device connected', body: '<b>Laptop</b> is connected.', tag: `peer:${DEVICE_PEER_ID}` },
      ]),
    );
  });

  it('honours desktop_enabled and each event’s switch', async () => {
    settings = { ...ON, desktop_on_backup_failed: false };
    const { source } = mount();
    await waitFor(() => expect(configReads).toBe(1));
    emit(source, 'backup-failed', { folderId: 'f1', folderName: 'Photos', error: 'x' });
    expect(FakeNotification.shown).toHaveLength(0);
    emit(source, 'backup-finished', { folderId: 'f1', folderName: 'Photos', sequence: 1 });
    expect(FakeNotification.shown).toHaveLength(1);

    settings = { ...ON, desktop_enabled: false };
    emit(source, CONFIG_CHANGED, ['notifications.desktop_enabled']);
    await waitFor(() => expect(configReads).toBe(2));
    await act(async () => {});
    emit(source, 'backup-finished', { folderId: 'f1', folderName: 'Photos', sequence: 2 });
    expect(FakeNotification.shown).toHaveLength(1);
  });

  it('shows nothing without permission', async () => {
    FakeNotification.permission = 'default';
    const { source } = mount();
    await waitFor(() => expect(configReads).toBe(1));
    emit(source, 'backup-finished', { folderId: 'f1', folderName: 'Photos', sequence: 1 });
    expect(FakeNotification.shown).toHaveLength(0);
  });

  it('leaves notifications to the shell inside the desktop window', async () => {
    let deliver: (ev: unknown) => void = () => undefined;
    (globalThis as { runtime?: unknown }).runtime = {
      EventsOn: (_name: string, cb: (ev: unknown) => void) => {
        deliver = cb;
        return () => undefined;
      },
    };
    render(<Probe player={player as unknown as SoundPlayer} notify={showDesktop} />);
    await waitFor(() => expect(configReads).toBe(1));
    act(() => deliver({ type: 'backup-finished', data: { folderId: 'f1', folderName: 'Photos', sequence: 1 } }));
    act(() => deliver({ type: 'node-started' }));
    expect(FakeNotification.shown).toHaveLength(0);
    expect(player.played.map((p) => p[0])).toEqual(['startup']); // sounds still play in the window
  });
});
