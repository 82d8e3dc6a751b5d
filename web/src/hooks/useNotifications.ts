import { useEffect, useRef } from 'react';
import { getConfig, type NotificationsConfig } from '../api/config';
import { getDevice } from '../api/devices';
import { useEventStream } from '../api/events';
import { eventData } from '../api/files';
import {
  backupFailedMessage,
  backupFinishedMessage,
  backupOutcomeOf,
  deviceConnectedMessage,
  showDesktop,
  type DesktopMessage,
} from '../lib/desktopNotify';
import { sounds, type SoundEvent, type SoundPlayer } from '../lib/sounds';

/** The backend's event that settings changed (internal/app.EventConfigChanged). */
export const CONFIG_CHANGED = 'config-changed';

type Sounded = { flag: keyof NotificationsConfig; custom: keyof NotificationsConfig };

const SOUND_SETTINGS: Record<SoundEvent, Sounded> = {
  startup: { flag: 'sound_on_startup', custom: 'custom_startup_sound' },
  'peer-connect': { flag: 'sound_on_peer_connect', custom: 'custom_peer_connect_sound' },
  download: { flag: 'sound_on_download', custom: 'custom_download_sound' },
};

export interface NotificationDeps {
  player?: SoundPlayer;
  notify?: (msg: DesktopMessage) => boolean;
}

/**
 * Sounds and desktop notifications for the whole app; mounted once, in the
 * layout. The notification settings are read at mount and again whenever
 * the backend says settings changed (or the event stream reconnects, since
 * that event may have been missed), so a change in Settings — or in another
 * tab, or from the CLI — applies to the next event without polling.
 *
 * Peer connections count only for paired devices: the node also connects
 * to peers the user never heard of (discovery), and a chime or a
 * notification for each of those would be noise.
 */
export function useNotifications({ player = sounds, notify = showDesktop }: NotificationDeps = {}) {
  const settings = useRef<NotificationsConfig | null>(null);
  const hellos = useRef(0);
  const alive = useRef(true);
  const readSeq = useRef(0);

  const read = useRef(() => {
    const mine = ++readSeq.current;
    getConfig().then(
      (v) => {
        if (alive.current && mine === readSeq.current) settings.current = v.config.notifications;
      },
      () => {
        // Keep what we had: notifications are not worth an error banner,
        // and the next config-changed or reconnect reads again.
      },
    );
  });

  useEffect(() => {
    alive.current = true;
    read.current();
    return () => {
      alive.current = false;
    };
  }, []);

  // Browsers keep audio suspended until the user interacts with the page.
  useEffect(() => {
    const unlock = () => {
      // No audio context for someone who turned sounds off (until they turn them on).
      if (settings.current && !settings.current.sound_enabled) return;
      player.unlock();
      window.removeEventListener('pointerdown', unlock, true);
      window.removeEventListener('keydown', unlock, true);
    };
    window.addEventListener('pointerdown', unlock, true);
    window.addEventListener('keydown', unlock, true);
    return () => {
      window.removeEventListener('pointerdown', unlock, true);
      window.removeEventListener('keydown', unlock, true);
    };
  }, [player]);

  const play = (event: SoundEvent) => {
    const n = settings.current;
    if (!n || !n.sound_enabled || !n[SOUND_SETTINGS[event].flag]) return;
    void player.play(event, { volume: n.sound_volume, customPath: String(n[SOUND_SETTINGS[event].custom]) });
  };

  const desktop = (flag: keyof NotificationsConfig, msg: () => DesktopMessage | null) => {
    const n = settings.current;
    if (!n || !n.desktop_enabled || !n[flag]) return;
    const m = msg();
    if (m) notify(m);
  };

  useEventStream('/api/events', {
    hello: () => {
      if (hellos.current++ > 0) read.current();
    },
    [CONFIG_CHANGED]: () => read.current(),
    'node-started': () => play('startup'),
    'file-downloaded': () => play('download'),
    'peer-connected': (ev) => {
      const peerId = eventData(ev);
      const n = settings.current;
      if (typeof peerId !== 'string' || !n) return;
      const wantSound = n.sound_enabled && n.sound_on_peer_connect;
      const wantDesktop = n.desktop_enabled && n.desktop_on_peer_connect;
      if (!wantSound && !wantDesktop) return;
      getDevice(peerId).then(
        (device) => {
          if (!device || !alive.current) return;
          play('peer-connect');
          desktop('desktop_on_peer_connect', () => deviceConnectedMessage(device.nickname, peerId));
        },
        () => undefined, // the node went away meanwhile: nothing to announce
      );
    },
    'backup-finished': (ev) =>
      desktop('desktop_on_backup_finished', () => {
        const o = backupOutcomeOf(eventData(ev));
        return o && backupFinishedMessage(o);
      }),
    'backup-failed': (ev) =>
      desktop('desktop_on_backup_failed', () => {
        const o = backupOutcomeOf(eventData(ev));
        return o && backupFailedMessage(o);
      }),
  });
}
