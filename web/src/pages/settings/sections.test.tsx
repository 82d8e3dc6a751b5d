import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Config, NotificationsConfig } from '../../api/config';
import type { PlayOptions, PlayResult, SoundEvent, SoundPlayer } from '../../lib/sounds';
import { jsonResponse, stubFetch, VERSION_BODY } from '../../test/fakes';
import { AboutSection, CLEAR_STORAGE_CONFIRM, DeveloperSection, ONBOARDING_CONFIRM, StorageSection } from './maintenance';
import { NotificationsSection } from './notifications';
import { rebaseDraft } from './rebase';

const N: NotificationsConfig = {
  sound_enabled: true,
  sound_on_startup: true,
  sound_on_peer_connect: true,
  sound_on_download: true,
  sound_volume: 0.5,
  custom_startup_sound: '',
  custom_peer_connect_sound: '/s/peer.wav',
  custom_download_sound: '',
  desktop_enabled: true,
  desktop_on_backup_finished: true,
  desktop_on_backup_failed: true,
  desktop_on_peer_connect: true,
};

class FakePlayer {
  calls: [SoundEvent, PlayOptions][] = [];
  next: PlayResult = { played: 'tone' };
  unlock() {}
  play(event: SoundEvent, opts: PlayOptions) {
    this.calls.push([event, opts]);
    return Promise.resolve(this.next);
  }
}

type Call = { url: string; method: string; body: unknown };

function record(answer: (c: Call) => Response) {
  const calls: Call[] = [];
  stubFetch((url, init) => {
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const c = { url, method: init?.method ?? 'GET', body };
    calls.push(c);
    return Promise.resolve(answer(c));
  });
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  delete (globalThis as { runtime?: unknown }).runtime;
});

describe('Notifications section: Test', () => {
  function renderSection(n: NotificationsConfig, saved = n) {
    const player = new FakePlayer();
    const set = vi.fn();
    render(<NotificationsSection n={n} saved={saved} set={set} player={player as unknown as SoundPlayer} />);
    return { player, set };
  }

  it('plays the saved custom file at the volume on the slider', async () => {
    const { player } = renderSection({ ...N, sound_volume: 0.8 }, N);
    player.next = { played: 'custom' };
    fireEvent.click(screen.getByRole('button', { name: 'Test the sound: when a paired device connects' }));
    expect(await screen.findByText('Played the custom sound.')).toBeInTheDocument();
    expect(player.calls).toEqual([['peer-connect', { volume: 0.8, customPath: '/s/peer.wav' }]]);
  });

  it('plays the tone for a file not saved yet, and says to save first', async () => {
    const { player } = renderSection({ ...N, custom_download_sound: '/s/new.ogg' }, N);
    fireEvent.click(screen.getByRole('button', { name: 'Test the sound: when a download finishes' }));
    expect(await screen.findByText('Played the built-in tone: save to test the new file.')).toBeInTheDocument();
    expect(player.calls).toEqual([['download', { volume: 0.5, customPath: '' }]]);
  });

  it('says why the custom file did not play', async () => {
    const { player } = renderSection(N);
    player.next = { played: 'tone', customError: 'notifications.custom_peer_connect_sound: no such file' };
    fireEvent.click(screen.getByRole('button', { name: 'Test the sound: when a paired device connects' }));
    expect(
      await screen.findByText(
        'The custom sound could not be played (notifications.custom_peer_connect_sound: no such file); played the built-in tone.',
      ),
    ).toBeInTheDocument();
  });

  it('clears a custom file with Clear', () => {
    const { set } = renderSection(N);
    fireEvent.click(screen.getByRole('button', { name: 'Clear Device Connect Sound File' }));
    expect(set).toHaveBeenCalledWith({ custom_peer_connect_sound: '' });
    expect(screen.getByRole('button', { name: 'Clear Startup Sound File' })).toBeDisabled();
  });
});

describe('Notifications section: permission', () => {
  class FakeNotification {
    static permission: NotificationPermission = 'default';
    static requestPermission = vi.fn(() => {
      FakeNotification.permission = 'granted';
      return Promise.resolve<NotificationPermission>('granted');
    });
  }
  beforeEach(() => {
    FakeNotification.permission = 'default';
    FakeNotification.requestPermission.mockClear();
    vi.stubGlobal('Notification', FakeNotification);
  });
  const renderIt = () =>
    render(<NotificationsSection n={N} saved={N} set={vi.fn()} player={new FakePlayer() as unknown as SoundPlayer} />);

  it('asks only from the button, and shows the answer', async () => {
    renderIt();
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
    expect(screen.getByText(/Permission: This browser has not been asked yet/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Allow desktop notifications' }));
    expect(await screen.findByText(/Permission: This browser allows/)).toBeInTheDocument();
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('button', { name: 'Allow desktop notifications' })).not.toBeInTheDocument();
  });

  it('tells how to unblock when denied', () => {
    FakeNotification.permission = 'denied';
    renderIt();
    expect(screen.getByText(/blocks Archivist’s notifications: allow them for this site/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Allow desktop notifications' })).not.toBeInTheDocument();
  });

  it('has no button in the desktop window, where the shell notifies', () => {
    (globalThis as { runtime?: unknown }).runtime = { EventsOn: () => () => undefined };
    renderIt();
    expect(screen.getByText(/The desktop app shows these as system notifications/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Allow desktop notifications' })).not.toBeInTheDocument();
  });

  it('says so when the browser has no notifications', () => {
    vi.stubGlobal('Notification', undefined);
    renderIt();
    expect(screen.getByText(/cannot show notifications here/)).toBeInTheDocument();
  });
});

describe('Developer: Reset Onboarding', () => {
  it('PUTs the reset state only after confirming, then reloads', async () => {
    const calls = record(() => jsonResponse({ complete: false, step: '' }));
    const reload = vi.fn();
    render(<DeveloperSection reload={reload} />);

    fireEvent.click(screen.getByRole('button', { name: 'Reset Onboarding' }));
    expect(screen.getByRole('alertdialog')).toHaveTextContent(ONBOARDING_CONFIRM);
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel' }));
    expect(calls).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Reset Onboarding' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Reset Onboarding' }));
    await waitFor(() => expect(reload).toHaveBeenCalledTimes(1));
    expect(calls).toEqual([{ url: '/api/onboarding', method: 'PUT', body: { complete: false, step: '' } }]);
  });

  it('says why it failed and does not reload', async () => {
    record(() => jsonResponse({ error: 'state database is read-only' }, 500));
    const reload = vi.fn();
    render(<DeveloperSection reload={reload} />);
    fireEvent.click(screen.getByRole('button', { name: 'Reset Onboarding' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Reset Onboarding' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not reset onboarding: state database is read-only');
    expect(reload).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Reset Onboarding' })).toBeEnabled();
  });
});

describe('Storage: Clear Storage', () => {
  it('deletes everything only after confirming, and says how many', async () => {
    const calls = record(() => jsonResponse({ deleted: 3 }));
    render(<StorageSection />);
    fireEvent.click(screen.getByRole('button', { name: 'Clear Storage' }));
    expect(screen.getByRole('alertdialog')).toHaveTextContent(CLEAR_STORAGE_CONFIRM);
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel' }));
    expect(calls).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Clear Storage' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete All' }));
    expect(await screen.findByText('Deleted 3 files from storage.')).toBeInTheDocument();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/files/delete-all']);
  });

  it('shows the node’s answer when it cannot', async () => {
    record(() => jsonResponse({ error: 'Node not running' }, 503));
    render(<StorageSection />);
    fireEvent.click(screen.getByRole('button', { name: 'Clear Storage' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete All' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not clear storage: Node not running');
  });
});

describe('About', () => {
  it('shows the backend’s version and a link to the website', async () => {
    record(() => jsonResponse(VERSION_BODY));
    render(<AboutSection />);
    expect(await screen.findByText('archivist v0.1.0 (abc1234)')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'archivist.storage' })).toHaveAttribute('href', 'https://archivist.storage');
  });

  it('says the version is unknown when the backend does not answer', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    render(<AboutSection />);
    expect(await screen.findByText('unknown (API unreachable: Failed to fetch)')).toBeInTheDocument();
  });
});

describe('rebaseDraft', () => {
  const base = {
    theme: 'system',
    node: { api_port: 8080, log_level: 'DEBUG' },
    backup_server: { enabled: false, source_peers: [{ host: 'a' }] },
  } as unknown as Config;

  it('keeps the user’s edits and takes every other change', () => {
    const draft = { ...base, node: { ...base.node, api_port: 9090 } };
    const next = { ...base, backup_server: { ...base.backup_server, enabled: true } } as Config;
    expect(rebaseDraft(base, next, draft)).toEqual({
      theme: 'system',
      node: { api_port: 9090, log_level: 'DEBUG' },
      backup_server: { enabled: true, source_peers: [{ host: 'a' }] },
    });
  });

  it('keeps an edited list whole, and the user’s value when both changed one key', () => {
    const draft = {
      ...base,
      node: { ...base.node, log_level: 'INFO' },
      backup_server: { enabled: false, source_peers: [{ host: 'a' }, { host: 'b' }] },
    } as unknown as Config;
    const next = {
      ...base,
      node: { ...base.node, log_level: 'WARN' },
      backup_server: { enabled: false, source_peers: [{ host: 'c' }] },
    } as unknown as Config;
    const got = rebaseDraft(base, next, draft);
    expect(got.node.log_level).toBe('INFO');
    expect(got.backup_server.source_peers).toEqual([{ host: 'a' }, { host: 'b' }]);
  });
});
