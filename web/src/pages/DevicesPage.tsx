import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  approveLinkPeer,
  connectDevice,
  DEVICE_EVENTS,
  disconnectDevice,
  forgetLinkPeer,
  LINK_EVENTS,
  listDevices,
  removeDevice,
  renameDevice,
  type Device,
  type DeviceList,
  type LinkPeer,
} from '../api/devices';
import { useEventStream } from '../api/events';
import { NODE_EVENTS, statusOfEvent, type NodeState } from '../api/node';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useNow } from '../hooks/useNow';
import { errorText } from '../lib/errorText';
import { DeviceCard, deviceLabel, type DeviceAction, type Notice } from './devices/DeviceCard';
import { LinkedApps, linkPeerLabel, PairingRequests, type LinkAction } from './devices/LinkPeers';
import { OtherPeers } from './devices/OtherPeers';
import { ThisDeviceCard } from './devices/ThisDeviceCard';
import { useLinkStatus } from './devices/useLinkStatus';
import '../styles/devices.css';
import './devices/link.css';

/** Events come in bursts (peer-connected + devices-changed): one reload for the burst. */
const EVENT_RELOAD_DELAY_MS = 50;

interface ListState {
  /** The last list read (kept through a failed refresh). */
  list: DeviceList | null;
  error: string | null;
}

/** What the confirmation dialog asks about. */
type Confirm =
  | { kind: 'remove'; device: Device }
  | { kind: 'decline'; peer: LinkPeer }
  | { kind: 'forget'; peer: LinkPeer };

function confirmText(c: Confirm): { message: string; label: string } {
  switch (c.kind) {
    case 'remove':
      return { message: `Remove ${deviceLabel(c.device)}? It will be disconnected and forgotten.`, label: 'Remove' };
    case 'decline': {
      const name = linkPeerLabel(c.peer);
      return {
        message: `Decline the pairing request from ${name}? It is forgotten here; ${name} can ask again by pasting this device's code.`,
        label: 'Decline',
      };
    }
    case 'forget': {
      const name = linkPeerLabel(c.peer);
      return {
        message: `Forget the backup link with ${name}? The two apps are no longer paired until one pastes the other's code again.`,
        label: 'Forget',
      };
    }
  }
}

/** Copies a record with key set to value, or without key when value is undefined. */
function withKey<T>(m: Record<string, T>, key: string, value: T | undefined): Record<string, T> {
  const next = { ...m };
  if (value !== undefined) next[key] = value;
  else delete next[key];
  return next;
}

/**
 * Route /devices, "My Devices" (reference §7.3, with §11.12 fixed): the
 * paired devices with what the node says about them now — Online / Offline,
 * or Unknown when it cannot say (never assumed) — rename, connect,
 * disconnect (really closes the node's connections) and remove; the node's
 * other connected peers, each with Pair; and this device's own code. From
 * the app link (GET /api/link): pairing requests to approve or decline,
 * which devices are paired for backups, apps linked without a paired
 * device, and why a link server is not running. No polling: the backend
 * polls the node and publishes devices-changed / peer-connected /
 * peer-disconnected, which reload the list, and pairing-request /
 * link-changed, which reload the link's state; node start and stop and this
 * page's own actions reload them too.
 */
export function DevicesPage() {
  const [state, setState] = useState<ListState>({ list: null, error: null });
  const [loadKey, setLoadKey] = useState(0);
  const [loadedKey, setLoadedKey] = useState(-1);
  const [queued, setQueued] = useState(0);
  const [codeKey, setCodeKey] = useState(0);
  const [busy, setBusy] = useState<Record<string, DeviceAction>>({});
  const [notices, setNotices] = useState<Record<string, Notice>>({});
  const [pageNotice, setPageNotice] = useState<Notice | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [linkBusy, setLinkBusy] = useState<Record<string, LinkAction>>({});
  const [linkNotices, setLinkNotices] = useState<Record<string, Notice>>({});
  const nodeState = useRef<NodeState | null>(null);
  const hellos = useRef(0);
  const now = useNow(true, 30_000);
  const link = useLinkStatus();
  const { reload: reloadLink, reloadSoon: reloadLinkSoon } = link;

  const reload = useCallback(() => setLoadKey((k) => k + 1), []);
  const reloadSoon = useCallback(() => setQueued((q) => q + 1), []);
  const reloadAll = useCallback(() => {
    reload();
    reloadLink();
    setCodeKey((k) => k + 1);
  }, [reload, reloadLink]);

  useEffect(() => {
    let cancelled = false; // a newer load replaced this one
    listDevices().then(
      (list) => {
        if (cancelled) return;
        setState({ list, error: null });
        setLoadedKey(loadKey);
      },
      (err: unknown) => {
        if (cancelled) return;
        setState((s) => ({ list: s.list, error: errorText(err) }));
        setLoadedKey(loadKey);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [loadKey]);

  useEffect(() => {
    if (queued === 0) return;
    const timer = setTimeout(reload, EVENT_RELOAD_DELAY_MS);
    return () => clearTimeout(timer);
  }, [queued, reload]);

  useEventStream('/api/events', {
    [DEVICE_EVENTS.devicesChanged]: reloadSoon,
    [DEVICE_EVENTS.peerConnected]: reloadSoon,
    [DEVICE_EVENTS.peerDisconnected]: reloadSoon,
    [LINK_EVENTS.pairingRequest]: reloadLinkSoon,
    [LINK_EVENTS.linkChanged]: reloadLinkSoon,
    [NODE_EVENTS.started]: reloadAll,
    [NODE_EVENTS.state]: (ev) => {
      // Only a change of state matters (node-state also carries new
      // figures). The first one seen is compared with what the page loaded:
      // running was there already (or comes with node-started).
      const s = statusOfEvent(ev);
      if (!s) return;
      const prev = nodeState.current;
      nodeState.current = s.state;
      if (s.state === prev || (prev === null && s.state === 'running')) return;
      reloadAll();
    },
    hello: () => {
      // After a reconnection events may have been missed.
      if (hellos.current++ > 0) reloadAll();
    },
  });

  const setBusyFor = (peerId: string, action: DeviceAction | undefined) => setBusy((b) => withKey(b, peerId, action));
  const setNoticeFor = (peerId: string, notice: Notice | undefined) => setNotices((n) => withKey(n, peerId, notice));
  const setLinkBusyFor = (device: string, action: LinkAction | undefined) =>
    setLinkBusy((b) => withKey(b, device, action));
  const setLinkNoticeFor = (device: string, notice: Notice | undefined) =>
    setLinkNotices((n) => withKey(n, device, notice));

  /** Puts a device the server answered with into the list at once (the reload follows). */
  const replaceDevice = (d: Device) =>
    setState((s) =>
      s.list ? { ...s, list: { ...s.list, devices: s.list.devices.map((x) => (x.peerId === d.peerId ? d : x)) } } : s,
    );

  const run = (d: Device, action: DeviceAction, call: () => Promise<Device | void>, failed: string) => {
    setBusyFor(d.peerId, action);
    setNoticeFor(d.peerId, undefined);
    call()
      .then((updated) => {
        if (updated) replaceDevice(updated);
      })
      .catch((err: unknown) => setNoticeFor(d.peerId, { kind: 'error', text: `${failed}: ${errorText(err)}` }))
      .finally(() => {
        setBusyFor(d.peerId, undefined);
        reload();
      });
  };

  const connect = (d: Device) => run(d, 'connect', () => connectDevice(d.peerId), `Could not connect to ${deviceLabel(d)}`);
  const disconnect = (d: Device) =>
    run(d, 'disconnect', () => disconnectDevice(d.peerId), `Could not disconnect ${deviceLabel(d)}`);

  const rename = async (d: Device, nickname: string) => {
    setBusyFor(d.peerId, 'rename');
    setNoticeFor(d.peerId, undefined);
    try {
      replaceDevice(await renameDevice(d.peerId, nickname));
    } finally {
      setBusyFor(d.peerId, undefined);
    }
  };

  const remove = (d: Device) => {
    const label = deviceLabel(d);
    setBusyFor(d.peerId, 'remove');
    setPageNotice(null);
    removeDevice(d.peerId)
      .then(() => setPageNotice({ kind: 'ok', text: `Removed ${label}: disconnected and forgotten.` }))
      .catch((err: unknown) => setPageNotice({ kind: 'error', text: `Could not remove ${label}: ${errorText(err)}` }))
      .finally(() => {
        setBusyFor(d.peerId, undefined);
        reload();
      });
  };

  /**
   * An action on a link peer: success is said at the top of the page (the
   * peer may leave its list), failure on its card. Approving pairs the nodes
   * too, so the device list is read again as well.
   */
  const runLink = (p: LinkPeer, action: LinkAction, call: () => Promise<unknown>, done: string, failed: string) => {
    setLinkBusyFor(p.device, action);
    setLinkNoticeFor(p.device, undefined);
    setPageNotice(null);
    call()
      .then(() => setPageNotice({ kind: 'ok', text: done }))
      .catch((err: unknown) => setLinkNoticeFor(p.device, { kind: 'error', text: `${failed}: ${errorText(err)}` }))
      .finally(() => {
        setLinkBusyFor(p.device, undefined);
        reloadLink();
        if (action === 'approve') reload();
      });
  };

  const approve = (p: LinkPeer) => {
    const name = linkPeerLabel(p);
    const done = `Approved ${name}: the two devices are paired.`;
    runLink(p, 'approve', () => approveLinkPeer(p.device), done, `Could not approve ${name}`);
  };
  const decline = (p: LinkPeer) => {
    const name = linkPeerLabel(p);
    const done = `Declined the pairing request from ${name}.`;
    runLink(p, 'decline', () => forgetLinkPeer(p.device), done, `Could not decline ${name}`);
  };
  const forget = (p: LinkPeer) => {
    const name = linkPeerLabel(p);
    const done = `Forgot the backup link with ${name}.`;
    runLink(p, 'forget', () => forgetLinkPeer(p.device), done, `Could not forget ${name}`);
  };

  const { list, error } = state;
  const loading = loadedKey !== loadKey;
  const linkPeers = link.status?.peers ?? [];
  const requests = linkPeers.filter((p) => p.state === 'requested');
  // Each device's link peer by its node's peer ID; a paired one wins over a request.
  const linkByNode = new Map<string, LinkPeer>();
  for (const p of linkPeers) {
    if (p.nodePeerId && (p.state === 'paired' || !linkByNode.has(p.nodePeerId))) linkByNode.set(p.nodePeerId, p);
  }
  const deviceIds = new Set(list?.devices.map((d) => d.peerId) ?? []);
  // Paired apps without a device card (shown once the list is read, so none is listed twice).
  const unmatched = list ? linkPeers.filter((p) => p.state === 'paired' && !deviceIds.has(p.nodePeerId)) : [];
  const linkErrors = link.status?.errors ?? [];

  return (
    <section className="page devices-page">
      <header className="page-header">
        <h2 className="page-title">Devices</h2>
        <div className="page-actions">
          <button type="button" disabled={loading} onClick={reloadAll}>
            {loading && list !== null ? 'Refreshing…' : 'Refresh'}
          </button>
          <Link className="button-link primary" to="/devices/add">
            Add Device
          </Link>
        </div>
      </header>

      {list && !list.nodeRunning && (
        <div className="node-down-banner" role="alert">
          <p>
            The node is not running — start it from the <Link to="/">Dashboard</Link>. Until it runs, nothing is
            connected and devices cannot be connected.
          </p>
        </div>
      )}

      {list?.nodeRunning && !list.live && (
        <div className="devices-unknown-banner" role="status">
          <p>
            Connection states are unknown: {list.liveError ?? 'the node did not say which peers are connected.'}
          </p>
        </div>
      )}

      {error && (
        <div className="error-banner" role="alert">
          <p>
            {list ? 'Could not refresh the devices' : 'Could not load the devices'}: {error}
          </p>
          <button type="button" disabled={loading} onClick={reload}>
            Retry
          </button>
        </div>
      )}

      {linkErrors.length > 0 && (
        <div className="link-errors-banner" role="alert">
          <p>The app link is not fully running, so other devices may not reach this one for pairing and backups:</p>
          <ul>
            {linkErrors.map((e, i) => (
              <li key={`${i}:${e}`}>{e}</li>
            ))}
          </ul>
        </div>
      )}

      {link.error && (
        <div className="error-banner" role="alert">
          <p>
            {link.status ? 'Could not refresh pairing requests' : 'Could not read pairing requests'}: {link.error}
          </p>
          <button type="button" onClick={reloadLink}>
            Retry
          </button>
        </div>
      )}

      {pageNotice && (
        <p
          className={pageNotice.kind === 'ok' ? 'success-banner' : 'field-error'}
          role={pageNotice.kind === 'ok' ? 'status' : 'alert'}
        >
          {pageNotice.text}
        </p>
      )}

      <div className="devices-layout">
        <div className="devices-main">
          <PairingRequests
            peers={requests}
            nodeRunning={list?.nodeRunning ?? true}
            busy={linkBusy}
            notices={linkNotices}
            now={now}
            onApprove={approve}
            onDecline={(peer) => setConfirm({ kind: 'decline', peer })}
          />

          <section className="dash-panel devices-panel" aria-labelledby="paired-devices-title">
            <p id="paired-devices-title" className="panel-title">
              Paired devices{list ? ` (${list.devices.length})` : ''}
            </p>
            {list === null ? (
              !error && (
                <p className="empty-state" role="status">
                  Loading devices…
                </p>
              )
            ) : list.devices.length === 0 ? (
              <div className="devices-empty">
                <p className="empty-state">No paired devices yet.</p>
                <Link className="button-link primary" to="/devices/add">
                  Add your first device
                </Link>
              </div>
            ) : (
              <ul className="device-list">
                {list.devices.map((d) => (
                  <DeviceCard
                    key={d.peerId}
                    device={d}
                    live={list.live}
                    nodeRunning={list.nodeRunning}
                    busy={busy[d.peerId]}
                    notice={notices[d.peerId]}
                    linked={linkByNode.get(d.peerId)}
                    now={now}
                    onConnect={connect}
                    onDisconnect={disconnect}
                    onRemove={(device) => setConfirm({ kind: 'remove', device })}
                    onRename={rename}
                  />
                ))}
              </ul>
            )}
          </section>

          <LinkedApps
            peers={unmatched}
            busy={linkBusy}
            notices={linkNotices}
            now={now}
            onForget={(peer) => setConfirm({ kind: 'forget', peer })}
          />

          {list && (
            <section className="dash-panel devices-panel" aria-labelledby="other-peers-title">
              <p id="other-peers-title" className="panel-title">
                Other connected peers{list.live ? ` (${list.otherPeers.length})` : ''}
              </p>
              <p className="share-hint other-peers-hint">
                Peers the node is connected to that are not paired devices — network neighbours, or a device that paired
                with this one. Pair one to keep it.
              </p>
              <OtherPeers peers={list.otherPeers} live={list.live} nodeRunning={list.nodeRunning} now={now} />
            </section>
          )}
        </div>

        <aside className="devices-side">
          <ThisDeviceCard reloadKey={codeKey} />
        </aside>
      </div>

      {confirm && (
        <ConfirmDialog
          message={confirmText(confirm).message}
          confirmLabel={confirmText(confirm).label}
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const c = confirm;
            setConfirm(null);
            if (c.kind === 'remove') remove(c.device);
            else if (c.kind === 'decline') decline(c.peer);
            else forget(c.peer);
          }}
        />
      )}
    </section>
  );
}
