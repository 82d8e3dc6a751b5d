// Settings → Notifications (reference §8.9, §8.10): sounds per event with a
// custom file and a Test button, and desktop notifications with the
// browser's permission. Sound settings apply to the next event once saved
// (the app re-reads them on config-changed); Test uses the unsaved volume.
import { useState } from 'react';
import { inDesktopWindow } from '../../api/events';
import type { NotificationsConfig } from '../../api/config';
import { notifyPermission, requestNotifyPermission, type NotifyPermission } from '../../lib/desktopNotify';
import { sounds, type PlayResult, type SoundEvent, type SoundPlayer } from '../../lib/sounds';
import { CheckboxField, TextField, VolumeField } from './fields';
import { SettingsSection } from './sections';

type Patch = (patch: Partial<NotificationsConfig>) => void;

interface SoundRow {
  event: SoundEvent;
  flag: 'sound_on_startup' | 'sound_on_peer_connect' | 'sound_on_download';
  custom: 'custom_startup_sound' | 'custom_peer_connect_sound' | 'custom_download_sound';
  when: string;
  file: string;
}

const ROWS: SoundRow[] = [
  { event: 'startup', flag: 'sound_on_startup', custom: 'custom_startup_sound', when: 'When the node starts', file: 'Startup Sound File' },
  {
    event: 'peer-connect',
    flag: 'sound_on_peer_connect',
    custom: 'custom_peer_connect_sound',
    when: 'When a paired device connects',
    file: 'Device Connect Sound File',
  },
  { event: 'download', flag: 'sound_on_download', custom: 'custom_download_sound', when: 'When a download finishes', file: 'Download Sound File' },
];

const SOUND_HINT = 'Absolute path of an .mp3, .wav, .ogg or .m4a file (10 MiB at most); empty: the built-in tone.';

export function NotificationsSection({
  n,
  saved,
  set,
  player = sounds,
}: {
  n: NotificationsConfig;
  /** The settings in force: Test can only play a custom file the backend has been told about. */
  saved: NotificationsConfig;
  set: Patch;
  player?: SoundPlayer;
}) {
  const off = !n.sound_enabled;
  const desktopOff = !n.desktop_enabled;
  const [tested, setTested] = useState<Partial<Record<SoundEvent, string>>>({});

  const test = (row: SoundRow) => {
    const path = n[row.custom];
    const unsaved = path !== saved[row.custom];
    setTested((t) => ({ ...t, [row.event]: 'Playing…' }));
    void player
      .play(row.event, { volume: n.sound_volume, customPath: unsaved ? '' : path })
      .then((r) => setTested((t) => ({ ...t, [row.event]: testText(r, path, unsaved) })));
  };

  return (
    <SettingsSection title="Notifications">
      <h4 className="subsection-title">Sounds</h4>
      <CheckboxField
        name="notifications.sound_enabled"
        label="Play notification sounds"
        checked={n.sound_enabled}
        onChange={(sound_enabled) => set({ sound_enabled })}
      />
      <VolumeField
        name="notifications.sound_volume"
        label="Volume"
        value={n.sound_volume}
        onChange={(sound_volume) => set({ sound_volume })}
      />
      {ROWS.map((row) => (
        <div key={row.event} className="field-group sound-row">
          <CheckboxField
            name={`notifications.${row.flag}`}
            label={row.when}
            disabled={off}
            checked={n[row.flag]}
            onChange={(v) => set({ [row.flag]: v })}
          />
          <TextField
            name={`notifications.${row.custom}`}
            label={row.file}
            clearable
            browse="file"
            placeholder="built-in tone"
            value={n[row.custom]}
            onChange={(v) => set({ [row.custom]: v })}
            hint={SOUND_HINT}
          />
          <div className="field-row">
            <button type="button" onClick={() => test(row)} aria-label={`Test the sound: ${row.when.toLowerCase()}`}>
              Test
            </button>
            {tested[row.event] && (
              <span className="field-hint" role="status">
                {tested[row.event]}
              </span>
            )}
          </div>
        </div>
      ))}

      <h4 className="subsection-title">Desktop notifications</h4>
      <CheckboxField
        name="notifications.desktop_enabled"
        label="Show desktop notifications"
        checked={n.desktop_enabled}
        onChange={(desktop_enabled) => set({ desktop_enabled })}
      />
      <div className="field-group">
        <CheckboxField
          name="notifications.desktop_on_backup_finished"
          label="Notify when a backup finishes"
          disabled={desktopOff}
          checked={n.desktop_on_backup_finished}
          onChange={(desktop_on_backup_finished) => set({ desktop_on_backup_finished })}
        />
        <CheckboxField
          name="notifications.desktop_on_backup_failed"
          label="Notify when a backup fails"
          disabled={desktopOff}
          checked={n.desktop_on_backup_failed}
          onChange={(desktop_on_backup_failed) => set({ desktop_on_backup_failed })}
        />
        <CheckboxField
          name="notifications.desktop_on_peer_connect"
          label="Notify when a paired device connects"
          disabled={desktopOff}
          checked={n.desktop_on_peer_connect}
          onChange={(desktop_on_peer_connect) => set({ desktop_on_peer_connect })}
        />
      </div>
      <NotificationPermission />
    </SettingsSection>
  );
}

function testText(r: PlayResult, path: string, unsaved: boolean): string {
  switch (r.played) {
    case 'custom':
      return 'Played the custom sound.';
    case 'nothing':
      return `No sound: ${r.reason}.`;
    case 'tone':
      if (unsaved && path !== '') return 'Played the built-in tone: save to test the new file.';
      if (r.customError) return `The custom sound could not be played (${r.customError}); played the built-in tone.`;
      return 'Played the built-in tone.';
  }
}

const PERMISSION_TEXT: Record<NotifyPermission, string> = {
  granted: 'This browser allows Archivist’s notifications.',
  default: 'This browser has not been asked yet.',
  denied: 'This browser blocks Archivist’s notifications: allow them for this site in the browser’s site settings.',
  unsupported:
    'This browser cannot show notifications here (browsers allow them only on https or localhost pages).',
  desktop: 'The desktop app shows these as system notifications.',
};

/** The browser's permission, and the one place that asks for it. */
function NotificationPermission() {
  const [permission, setPermission] = useState<NotifyPermission>(notifyPermission);
  const [asking, setAsking] = useState(false);
  const ask = () => {
    setAsking(true);
    void requestNotifyPermission().then((p) => {
      setPermission(p);
      setAsking(false);
    });
  };
  return (
    <div className="field notify-permission">
      <p className="field-hint" role="status">
        Permission: {PERMISSION_TEXT[permission]}
      </p>
      {!inDesktopWindow() && permission === 'default' && (
        <button type="button" onClick={ask} disabled={asking}>
          {asking ? 'Asking…' : 'Allow desktop notifications'}
        </button>
      )}
    </div>
  );
}
