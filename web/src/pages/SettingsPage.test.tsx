import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Config, ConfigView, SaveResult } from '../api/config';
import { FakeEventSource, installFakeEventSource, jsonResponse, stubFetch, updateStateJSON, VERSION_BODY } from '../test/fakes';
import { RESET_CONFIRM, SettingsPage } from './SettingsPage';

function defaults(): Config {
  return {
    theme: 'system',
    language: 'en',
    start_minimized: false,
    start_on_boot: false,
    node: {
      data_directory: '/home/u/.local/share/archivist',
      api_port: 8080,
      discovery_port: 8090,
      listen_port: 8070,
      max_storage_gb: 10,
      auto_start: true,
      log_level: 'DEBUG',
      binary: '',
    },
    sync: {
      auto_sync: true,
      sync_interval_seconds: 300,
      bandwidth_limit_mbps: 0,
      exclude_patterns: ['*.tmp', '*.temp', '.DS_Store', 'Thumbs.db'],
      backup_enabled: false,
      backup_peer_address: '',
      backup_peer_nickname: '',
      backup_manifest_enabled: true,
      backup_auto_notify: false,
      backup_trigger_port: 8086,
      manifest_update_threshold: 10,
      manifest_retry_interval_secs: 300,
      manifest_max_retries: 5,
    },
    notifications: {
      sound_enabled: true,
      sound_on_startup: true,
      sound_on_peer_connect: true,
      sound_on_download: true,
      sound_volume: 0.5,
      custom_startup_sound: '',
      custom_peer_connect_sound: '',
      custom_download_sound: '',
      desktop_enabled: true,
      desktop_on_backup_finished: true,
      desktop_on_backup_failed: true,
      desktop_on_peer_connect: true,
    },
    backup_server: {
      enabled: false,
      poll_interval_secs: 30,
      max_concurrent_downloads: 3,
      max_retries: 3,
      auto_delete_tombstones: true,
      trigger_port: 8086,
      source_peers: [],
      keep_last: 10,
      keep_hourly: 24,
      keep_daily: 7,
      keep_weekly: 8,
    },
    manifest_server: { enabled: false, port: 8085, allowed_ips: [] },
    updates: { enabled: true, feed_url: 'https://github.com/archivist-desktop/archivist/releases/latest/download/latest.json' },
  };
}

const PATH = '/home/u/.config/archivist/config.toml';

function view(config: Config = defaults(), broken: ConfigView['broken'] = null): ConfigView {
  return { config, path: PATH, broken };
}

function result(config: Config, changed: string[], nodeRestart: boolean): SaveResult {
  return { ...view(config), changed, nodeRestart };
}

type Call = { url: string; method: string; body: unknown };

/** A fake backend: GET answers with `initial`; other requests are answered by `onSend`. */
function backend(initial: ConfigView, onSend: (call: Call) => Response = () => jsonResponse({ error: 'unexpected' }, 500)) {
  const calls: Call[] = [];
  stubFetch((url, init) => {
    const method = init?.method ?? 'GET';
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call = { url, method, body };
    calls.push(call);
    if (method === 'GET' && url === '/api/config') return Promise.resolve(jsonResponse(initial));
    if (method === 'GET' && url === '/api/version') return Promise.resolve(jsonResponse(VERSION_BODY));
    if (method === 'GET' && url === '/api/update') return Promise.resolve(jsonResponse(updateStateJSON()));
    return Promise.resolve(onSend(call));
  });
  return calls;
}

const sends = (calls: Call[]) => calls.filter((c) => c.method !== 'GET');
const saveButton = () => screen.getByRole('button', { name: 'Save Settings' });
const field = (label: string) => screen.getByLabelText(label);

async function renderLoaded() {
  render(<SettingsPage />);
  return screen.findByLabelText('API Port');
}

describe('SettingsPage', () => {
  it('shows loading, then the values from GET /api/config', async () => {
    const cfg = defaults();
    cfg.node.log_level = 'INFO';
    cfg.theme = 'dark';
    cfg.notifications.sound_volume = 0.25;
    cfg.manifest_server.allowed_ips = ['192.168.1.0/24'];
    cfg.backup_server.source_peers = [
      { nickname: '<b>laptop</b>', host: '10.0.0.5', manifest_port: 8085, peer_id: '', multiaddr: '', enabled: true },
    ];
    backend(view(cfg));
    render(<SettingsPage />);
    expect(screen.getByRole('heading', { level: 2, name: 'Settings' })).toBeInTheDocument();
    expect(screen.getByText('Loading settings…')).toBeInTheDocument();

    expect(await screen.findByLabelText('API Port')).toHaveValue(8080);
    expect(screen.getByRole('heading', { level: 3, name: 'Node' })).toBeInTheDocument();
    expect(field('Discovery Port (UDP)')).toHaveValue(8090);
    expect(field('Listen Port (TCP)')).toHaveValue(8070);
    expect(field('Max Storage (GB)')).toHaveValue(10);
    expect(field('Data Directory')).toHaveValue('/home/u/.local/share/archivist');
    expect(field('Log Level')).toHaveValue('INFO');
    expect(field('Theme')).toHaveValue('dark');
    expect(field('Start node automatically with app')).toBeChecked();
    expect(field('Start minimized to system tray')).not.toBeChecked();
    expect(field('Volume')).toHaveValue('25');
    expect(field('Bandwidth Limit (Mbps)')).toHaveValue(null); // 0 = unlimited, shown blank
    expect(screen.getByText('Thumbs.db')).toBeInTheDocument();
    expect(screen.getByText('192.168.1.0/24')).toBeInTheDocument();
    expect(field('API Port')).toHaveAccessibleDescription(/1024–65535/);

    // peer-supplied text is text, never markup
    const peer = screen.getByRole('group', { name: /source peer 1/i });
    expect(within(peer).getByText('— <b>laptop</b>', { exact: false })).toBeInTheDocument();
    expect(peer.querySelector('b')).toBeNull();
    expect(within(peer).getByLabelText('Host / IP')).toHaveValue('10.0.0.5');

    expect(screen.getByText(PATH)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('keeps Save disabled until something changes, and again when the change is undone', async () => {
    backend(view());
    const apiPort = await renderLoaded();
    expect(saveButton()).toBeDisabled();

    fireEvent.change(apiPort, { target: { value: '9090' } });
    expect(saveButton()).toBeEnabled();
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();

    fireEvent.change(apiPort, { target: { value: '8080' } });
    expect(saveButton()).toBeDisabled();

    fireEvent.click(field('Start minimized to system tray'));
    expect(saveButton()).toBeEnabled();
    fireEvent.click(screen.getByRole('button', { name: 'Discard Changes' }));
    expect(field('Start minimized to system tray')).not.toBeChecked();
    expect(saveButton()).toBeDisabled();
  });

  it('PUTs the whole config with the edited API port and shows what changed and the restart notice', async () => {
    const saved = defaults();
    saved.node.api_port = 9090;
    const calls = backend(view(), () => jsonResponse(result(saved, ['node.api_port'], true)));
    const apiPort = await renderLoaded();

    fireEvent.change(apiPort, { target: { value: '9090' } });
    fireEvent.click(saveButton());

    expect(await screen.findByText('Settings saved successfully!')).toBeInTheDocument();
    expect(screen.getByText('The node restarts to apply (if it is running): node.api_port')).toBeInTheDocument();
    expect(screen.getByText('Changed: node.api_port')).toBeInTheDocument();

    const put = sends(calls);
    expect(put).toHaveLength(1);
    expect(put[0]).toMatchObject({ url: '/api/config', method: 'PUT' });
    expect(put[0]?.body).toEqual(saved); // every key, not just the edited one

    // the saved config is the new baseline
    expect(field('API Port')).toHaveValue(9090);
    expect(saveButton()).toBeDisabled();
  });

  it('edits the retention of the backup server, saying the newest version is always kept', async () => {
    const saved = defaults();
    saved.backup_server.keep_last = 3;
    saved.backup_server.keep_weekly = 0;
    const calls = backend(view(), () =>
      jsonResponse(result(saved, ['backup_server.keep_last', 'backup_server.keep_weekly'], false)),
    );
    await renderLoaded();

    const section = screen.getByRole('region', { name: 'Backup Server' });
    const retention = within(section).getByRole('group', { name: 'Versions to keep' });
    expect(retention).toHaveAccessibleDescription(/The newest version is always kept\./);
    expect(within(retention).getByLabelText('Keep last N versions')).toHaveValue(10);
    expect(within(retention).getByLabelText('Keep one per hour for N hours')).toHaveValue(24);
    expect(within(retention).getByLabelText('Keep one per day for N days')).toHaveValue(7);
    expect(within(retention).getByLabelText('Keep one per week for N weeks')).toHaveValue(8);
    expect(field('Keep one per day for N days')).toHaveAccessibleDescription(/newest version of each of the last N days/);

    fireEvent.change(field('Keep last N versions'), { target: { value: '3' } });
    fireEvent.change(field('Keep one per week for N weeks'), { target: { value: '0' } });
    fireEvent.click(saveButton());
    expect(await screen.findByText('Changed: backup_server.keep_last, backup_server.keep_weekly')).toBeInTheDocument();
    expect(sends(calls)[0]?.body).toEqual(saved);
  });

  it('reads a config without retention keys as the defaults', async () => {
    const old = defaults() as unknown as { backup_server: Record<string, unknown> };
    delete old.backup_server.keep_last;
    delete old.backup_server.keep_hourly;
    backend(view(old as unknown as Config));
    await renderLoaded();
    expect(field('Keep last N versions')).toHaveValue(10);
    expect(field('Keep one per hour for N hours')).toHaveValue(24);
    expect(saveButton()).toBeDisabled();
  });

  it('says nothing about restarting when the change applies live', async () => {
    const saved = defaults();
    saved.node.log_level = 'INFO';
    backend(view(), () => jsonResponse(result(saved, ['node.log_level'], false)));
    await renderLoaded();

    fireEvent.change(field('Log Level'), { target: { value: 'INFO' } });
    fireEvent.click(saveButton());

    expect(await screen.findByText('Changed: node.log_level')).toBeInTheDocument();
    expect(screen.queryByText(/The node restarts to apply/)).not.toBeInTheDocument();
  });

  it('shows a 422 problem under its field, including one peer field, and does not block a second try', async () => {
    const cfg = defaults();
    cfg.backup_server.source_peers = [
      { nickname: 'a', host: 'a.lan', manifest_port: 8085, peer_id: '', multiaddr: '', enabled: true },
      { nickname: 'b', host: 'b.lan', manifest_port: 8085, peer_id: '', multiaddr: '', enabled: true },
    ];
    const calls = backend(view(cfg), () =>
      jsonResponse(
        {
          error: 'node.api_port: 80 is not a port (1024–65535); backup_server.source_peers[1].host: empty host',
          problems: [
            { key: 'node.api_port', message: '80 is not a port (1024–65535)' },
            { key: 'backup_server.source_peers[1].host', message: 'empty host' },
            { key: 'sync.backup_trigger_port', message: '0 is not a port (1024–65535)' },
            { key: 'language', message: '"x" is not a language tag' },
          ],
        },
        422,
      ),
    );
    const apiPort = await renderLoaded();

    fireEvent.change(apiPort, { target: { value: '80' } });
    // a client hint, but Save stays possible: the server is the judge
    expect(saveButton()).toBeEnabled();
    fireEvent.click(saveButton());

    await waitFor(() => expect(field('API Port')).toHaveAccessibleDescription(/80 is not a port \(1024–65535\)/));
    expect(field('API Port')).toHaveAttribute('aria-invalid', 'true');
    expect(field('Discovery Port (UDP)')).not.toHaveAttribute('aria-invalid');

    const peer2 = screen.getByRole('group', { name: /source peer 2/i });
    expect(within(peer2).getByLabelText('Host / IP')).toHaveAccessibleDescription(/empty host/);
    const peer1 = screen.getByRole('group', { name: /source peer 1/i });
    expect(within(peer1).getByLabelText('Host / IP')).not.toHaveAccessibleDescription(/empty host/);

    // a field hidden behind "Backup to Peer" is revealed to show its problem
    expect(field('Backup Peer Trigger Port')).toHaveAccessibleDescription(/0 is not a port/);
    // every problem, including one without a field, is listed in the summary
    expect(screen.getByRole('alert')).toHaveTextContent('Settings were not saved');
    expect(screen.getByRole('alert')).toHaveTextContent('language "x" is not a language tag');
    expect(screen.queryByText('Settings saved successfully!')).not.toBeInTheDocument();

    fireEvent.click(saveButton());
    await waitFor(() => expect(sends(calls)).toHaveLength(2));
  });

  it('shows the server’s refusal of a custom sound file under its field', async () => {
    backend(view(), () =>
      jsonResponse(
        {
          error: 'notifications.custom_download_sound: "/home/u/notes.txt" is not an .mp3, .wav, .ogg or .m4a file',
          problems: [{ key: 'notifications.custom_download_sound', message: '"/home/u/notes.txt" is not an .mp3, .wav, .ogg or .m4a file' }],
        },
        422,
      ),
    );
    await renderLoaded();
    const sound = screen.getByRole('textbox', { name: 'Download Sound File' });
    fireEvent.change(sound, { target: { value: '/home/u/notes.txt' } });
    fireEvent.click(saveButton());
    await waitFor(() => expect(sound).toHaveAccessibleDescription(/is not an \.mp3, \.wav, \.ogg or \.m4a file/));
    expect(sound).toHaveAttribute('aria-invalid', 'true');
  });

  it('shows a broken config.toml with line numbers and both ways out', async () => {
    const calls = backend(
      view(defaults(), {
        path: PATH,
        problems: [
          { key: 'node.api_port', line: 3, column: 1, message: '80 is not a port (1024–65535)' },
          { key: 'nodee', line: 7, column: 2, message: 'unknown key' },
        ],
      }),
      (call) =>
        call.url === '/api/config/reload'
          ? jsonResponse(result(defaults(), [], false))
          : jsonResponse({ error: 'unexpected' }, 500),
    );
    await renderLoaded();

    const panel = screen.getByRole('alert');
    expect(panel).toHaveTextContent(
      'config.toml has problems — the app is running on defaults and has not touched your file',
    );
    expect(panel).toHaveTextContent(PATH);
    expect(within(panel).getByText('line 3:1')).toBeInTheDocument();
    expect(within(panel).getByText('line 7:2')).toBeInTheDocument();
    expect(panel).toHaveTextContent('unknown key');
    expect(panel).toHaveTextContent('config.toml.broken-');
    expect(within(panel).getByRole('button', { name: 'Reset to defaults' })).toBeInTheDocument();

    fireEvent.click(within(panel).getByRole('button', { name: 'Reload from disk' }));
    expect(await screen.findByText('Reloaded config.toml from disk.')).toBeInTheDocument();
    expect(sends(calls)).toEqual([{ url: '/api/config/reload', method: 'POST', body: undefined }]);
    expect(screen.queryByText(/has problems/)).not.toBeInTheDocument();
  });

  it('offers reload and reset on a 409, and shows the file problems when the reload finds it broken', async () => {
    backend(view(), () =>
      jsonResponse(
        { error: 'bad', problems: [{ key: 'node.listen_port', line: 12, column: 15, message: 'not a port' }] },
        422,
      ),
    );
    await renderLoaded();
    fireEvent.change(field('Max Storage (GB)'), { target: { value: '20' } });

    // a 409 on save offers the ways out
    stubFetch((_url, init) =>
      Promise.resolve(
        init?.method === 'PUT'
          ? jsonResponse({ error: 'the config file was changed outside the app: reload it before saving' }, 409)
          : jsonResponse(
              { error: 'bad', problems: [{ key: 'node.listen_port', line: 12, column: 15, message: 'not a port' }] },
              422,
            ),
      ),
    );
    fireEvent.click(saveButton());
    const panel = await screen.findByRole('alert');
    expect(panel).toHaveTextContent('changed outside the app');
    expect(within(panel).getByRole('button', { name: 'Reset to defaults' })).toBeInTheDocument();

    fireEvent.click(within(panel).getByRole('button', { name: 'Reload from disk' }));
    expect(await screen.findByText('line 12:15')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('has problems');
    // unsaved edits survive a failed reload
    expect(field('Max Storage (GB)')).toHaveValue(20);
  });

  it('asks before Reset to Defaults and POSTs only after confirming', async () => {
    const cfg = defaults();
    cfg.node.max_storage_gb = 99;
    const calls = backend(view(cfg), () => jsonResponse(result(defaults(), ['node.max_storage_gb'], true)));
    await renderLoaded();

    fireEvent.click(screen.getByRole('button', { name: 'Reset to Defaults' }));
    let dialog = screen.getByRole('alertdialog');
    expect(dialog).toHaveTextContent(RESET_CONFIRM);
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(sends(calls)).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Reset to Defaults' }));
    fireEvent.keyDown(screen.getByRole('alertdialog'), { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(sends(calls)).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Reset to Defaults' }));
    dialog = screen.getByRole('alertdialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Reset' }));

    expect(await screen.findByText('Settings reset to defaults.')).toBeInTheDocument();
    expect(sends(calls)).toEqual([{ url: '/api/config/reset', method: 'POST', body: undefined }]);
    expect(field('Max Storage (GB)')).toHaveValue(10);
    expect(screen.getByText('The node restarts to apply (if it is running): node.max_storage_gb')).toBeInTheDocument();
  });

  it('edits the source peers and allowed IPs lists', async () => {
    const calls = backend(view(), (call) => jsonResponse(result(call.body as Config, ['x'], false)));
    await renderLoaded();

    fireEvent.click(screen.getByRole('button', { name: '+ Add Source Peer' }));
    fireEvent.click(screen.getByRole('button', { name: '+ Add Source Peer' }));
    const peer1 = screen.getByRole('group', { name: /source peer 1/i });
    fireEvent.change(within(peer1).getByLabelText('Nickname'), { target: { value: 'desk' } });
    fireEvent.change(within(peer1).getByLabelText('Host / IP'), { target: { value: '10.0.0.9' } });
    fireEvent.click(screen.getByRole('button', { name: 'Remove source peer 2' }));
    expect(screen.queryByRole('group', { name: /source peer 2/i })).not.toBeInTheDocument();

    const ipInput = field('New allowed IP');
    fireEvent.change(ipInput, { target: { value: '192.168.1.7' } });
    fireEvent.keyDown(ipInput, { key: 'Enter' });
    fireEvent.click(screen.getByRole('button', { name: 'Remove *.tmp' }));

    fireEvent.click(saveButton());
    await screen.findByText('Settings saved successfully!');
    const body = sends(calls)[0]?.body as Config;
    expect(body.backup_server.source_peers).toEqual([
      { nickname: 'desk', host: '10.0.0.9', manifest_port: 8085, peer_id: '', multiaddr: '', enabled: true },
    ]);
    expect(body.manifest_server.allowed_ips).toEqual(['192.168.1.7']);
    expect(body.sync.exclude_patterns).toEqual(['*.temp', '.DS_Store', 'Thumbs.db']);
  });

  it('disables the per-event sound toggles when sounds are off and saves the volume as 0..1', async () => {
    const calls = backend(view(), (call) => jsonResponse(result(call.body as Config, [], false)));
    await renderLoaded();

    expect(field('When a paired device connects')).toBeEnabled();
    fireEvent.click(field('Play notification sounds'));
    expect(field('When a paired device connects')).toBeDisabled();
    expect(field('When the node starts')).toBeDisabled();
    expect(field('When a download finishes')).toBeDisabled();
    // The desktop switches have their own master.
    expect(field('Notify when a backup fails')).toBeEnabled();
    fireEvent.click(field('Show desktop notifications'));
    expect(field('Notify when a backup fails')).toBeDisabled();
    expect(field('Notify when a backup finishes')).toBeDisabled();
    expect(field('Notify when a paired device connects')).toBeDisabled();
    fireEvent.change(field('Volume'), { target: { value: '80' } });
    fireEvent.click(saveButton());
    await screen.findByText('Settings saved successfully!');
    const body = sends(calls)[0]?.body as Config;
    expect(body.notifications).toMatchObject({ sound_enabled: false, sound_volume: 0.8, desktop_enabled: false });
  });

  it('takes settings changed elsewhere without losing unsaved edits, so Save does not undo them', async () => {
    installFakeEventSource();
    let current = view();
    const calls: Call[] = [];
    stubFetch((url, init) => {
      const method = init?.method ?? 'GET';
      const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      calls.push({ url, method, body });
      if (url === '/api/config') return Promise.resolve(jsonResponse(current));
      if (url === '/api/version') return Promise.resolve(jsonResponse(VERSION_BODY));
      if (url === '/api/update') return Promise.resolve(jsonResponse(updateStateJSON()));
      return Promise.resolve(jsonResponse(result(body as Config, ['node.api_port'], true)));
    });
    await renderLoaded();
    fireEvent.change(field('API Port'), { target: { value: '9090' } });

    // The Backup Server page's Enable saved backup_server.enabled meanwhile.
    const elsewhere = defaults();
    elsewhere.backup_server.enabled = true;
    current = view(elsewhere);
    const source = FakeEventSource.instances.at(-1)!;
    act(() => source.emit('config-changed', { type: 'config-changed', data: ['backup_server.enabled'] }));
    await waitFor(() => expect(field('Enable backup server')).toBeChecked());
    expect(field('API Port')).toHaveValue(9090);

    fireEvent.click(saveButton());
    await screen.findByText('Settings saved successfully!');
    const sent = sends(calls)[0]?.body as Config;
    expect(sent.backup_server.enabled).toBe(true);
    expect(sent.node.api_port).toBe(9090);
  });

  it('shows an error with Retry when the API is unreachable', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    render(<SettingsPage />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load settings: API unreachable: Failed to fetch');
    expect(screen.queryByRole('button', { name: 'Save Settings' })).not.toBeInTheDocument();

    backend(view());
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByLabelText('API Port')).toHaveValue(8080);
  });

  it('loads once: no polling', async () => {
    const calls = backend(view());
    await renderLoaded();
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.filter((c) => c.url === '/api/config')).toHaveLength(1);
  });
});
