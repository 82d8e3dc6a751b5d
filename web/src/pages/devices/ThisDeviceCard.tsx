import { useEffect, useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { getShareCode, isNodeNotRunning, type ShareCode } from '../../api/devices';
import { errorText } from '../../lib/errorText';
import { DeviceCodeValue, ShareDetails, SprQrCode } from '../dashboard/ShareCard';
import '../../styles/dashboard.css';
import '../../styles/devices.css';
import './link.css';

type CodeState =
  | { status: 'loading' }
  | { status: 'ok'; code: ShareCode }
  | { status: 'down' }
  | { status: 'error'; message: string };

/**
 * "This device": the code another device needs to pair with this one. First
 * the device code (archivist1:…), which pairs the apps for backups as well
 * as the nodes, with Copy, and this device's ID; then, folded away, what a
 * bare archivist-node takes — a QR code of the SPR (a PNG the backend made),
 * the connect multiaddr, the peer ID, the announced addresses and the SPR,
 * each with Copy. Read from the running node (GET /api/devices/code) on
 * mount and whenever reloadKey changes (the page bumps it when the node
 * starts or stops).
 */
export function ThisDeviceCard({ reloadKey = 0 }: { reloadKey?: number }) {
  const titleId = useId();
  const [state, setState] = useState<CodeState>({ status: 'loading' });
  const [retries, setRetries] = useState(0);

  useEffect(() => {
    let cancelled = false;
    getShareCode().then(
      (code) => {
        if (!cancelled) setState({ status: 'ok', code });
      },
      (err: unknown) => {
        if (cancelled) return;
        setState(isNodeNotRunning(err) ? { status: 'down' } : { status: 'error', message: errorText(err) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [reloadKey, retries]);

  return (
    <section className="dash-panel this-device" aria-labelledby={titleId} aria-busy={state.status === 'loading'}>
      <div className="panel-head">
        <p id={titleId} className="panel-title">
          This device
        </p>
        {state.status === 'ok' && <span className="badge device-badge online">Online</span>}
        {state.status === 'down' && <span className="badge device-badge offline">Node stopped</span>}
      </div>

      {state.status === 'loading' && (
        <p className="empty-state" role="status">
          Loading this device&apos;s code…
        </p>
      )}

      {state.status === 'down' && (
        <p className="empty-state">
          The node is not running, so this device has no code to share. Start it from the{' '}
          <Link to="/">Dashboard</Link>.
        </p>
      )}

      {state.status === 'error' && (
        <div className="error-banner" role="alert">
          <p>Could not read this device&apos;s code: {state.message}</p>
          <button type="button" onClick={() => setRetries((n) => n + 1)}>
            Retry
          </button>
        </div>
      )}

      {state.status === 'ok' && <CodeDetails code={state.code} />}
    </section>
  );
}

function CodeDetails({ code }: { code: ShareCode }) {
  return (
    <div className="this-device-body">
      {code.code ? (
        <div className="share-row device-code-row">
          <span className="share-label">Device code (share this)</span>
          <DeviceCodeValue code={code.code} />
          <p className="share-hint device-code-hint">
            Paste this code on your other device (Devices → Add Device). It pairs the two devices for backups.
          </p>
        </div>
      ) : (
        <p className="share-warning device-code-missing">
          No device code: the app link could not make one, so only the node can be paired (below), not backups.
        </p>
      )}
      {code.deviceId && (
        <p className="device-id-line">
          <span className="device-id-label">Device ID</span> <code className="device-id">{code.deviceId}</code>
        </p>
      )}

      {/* Open by default only when these are all there is to share. */}
      <details className="node-code" open={!code.code}>
        <summary>For pairing with a bare archivist-node: QR code, connect address, SPR</summary>
        <p className="share-hint this-device-hint">
          An archivist-node (or an older app) takes one of these: the connect address or the SPR. They pair the nodes
          only.
        </p>
        {code.qrPng && <SprQrCode png={code.qrPng} />}
        <div className="this-device-details">
          <ShareDetails
            peerId={code.peerId}
            addresses={code.addresses}
            connect={code.multiaddr || null}
            spr={code.spr || undefined}
          />
        </div>
      </details>
    </div>
  );
}
