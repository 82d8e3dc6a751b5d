import { useEffect, useId, useState } from 'react';
import { getShareCode, type ShareCode } from '../../api/devices';
import type { NodeStatus } from '../../api/node';
import { CopyButton } from '../../components/CopyButton';
import { addrScope, connectAddress, type AddrScope } from '../../lib/multiaddr';

const SCOPE_TEXT: Record<AddrScope, string> = {
  loopback: 'this machine only',
  private: 'local network',
  public: 'public',
};

const SPR_PREVIEW = 40;

function withPeer(addr: string, peerId: string): string {
  return addr.includes('/p2p/') ? addr : `${addr.replace(/\/+$/, '')}/p2p/${peerId}`;
}

/**
 * How other devices reach this node: the address to share, the peer ID,
 * every announced address (loopback ones marked "this machine only") and
 * the signed peer record, each with Copy. Shown once the node has a peer ID.
 */
export function ShareCard({ status, title }: { status: NodeStatus; title: string }) {
  const titleId = useId();
  const peerId = status.peerId;
  if (!peerId) return null;
  const announce = status.announceAddresses;

  return (
    <section className="dash-panel share-card" aria-labelledby={titleId}>
      <h3 id={titleId} className="panel-heading">
        {title}
      </h3>
      <DeviceCode peerId={peerId} />
      <ShareDetails
        peerId={peerId}
        addresses={announce}
        connect={connectAddress(announce, peerId)}
        spr={status.spr}
      />
    </section>
  );
}

/**
 * The device code (what pairs two Archivist apps) and the QR code of the
 * SPR, as the backend makes them for this node. Without an answer (node
 * restarting, an older backend) the rows are simply not shown: the
 * addresses below still are.
 */
function DeviceCode({ peerId }: { peerId: string }) {
  const [code, setCode] = useState<ShareCode | null>(null);
  useEffect(() => {
    let alive = true;
    getShareCode().then(
      (c) => alive && setCode(c),
      () => alive && setCode(null),
    );
    return () => {
      alive = false;
    };
  }, [peerId]);
  if (!code) return null;
  return (
    <>
      {code.code && (
        <div className="share-row">
          <span className="share-label">Device code (pairs two Archivist apps)</span>
          <DeviceCodeValue code={code.code} />
        </div>
      )}
      {code.qrPng && <SprQrCode png={code.qrPng} />}
    </>
  );
}

/** The device code with Copy; focusable, since a long code scrolls. */
export function DeviceCodeValue({ code }: { code: string }) {
  return (
    <div className="share-value">
      <code className="share-code device-code" tabIndex={0}>
        {code}
      </code>
      <CopyButton text={code} what="device code" />
    </div>
  );
}

/** The QR code of this device's SPR, a PNG the backend made. */
export function SprQrCode({ png }: { png: string }) {
  return (
    <figure className="device-qr">
      {/* Our own backend's PNG (checked to be base64 in api/devices), not peer data. */}
      <img src={`data:image/png;base64,${png}`} alt="QR code of this device's SPR" />
      <figcaption>QR code of the SPR</figcaption>
    </figure>
  );
}

export interface ShareDetailsProps {
  peerId: string;
  /** The announced addresses. */
  addresses: readonly string[];
  /** The address to give another device, with /p2p/<peer ID>; null when there is none. */
  connect: string | null;
  spr?: string;
}

/**
 * The rows of a share card — connect address, peer ID, announced addresses,
 * SPR, each with Copy — without the card around them, so other pages (My
 * Devices, Add Device) show this device's code the same way.
 */
export function ShareDetails({ peerId, addresses: announce, connect, spr }: ShareDetailsProps) {
  const onlyLoopback = announce.length > 0 && announce.every((a) => addrScope(a) === 'loopback');

  return (
    <>
      {connect ? (
        <div className="share-row">
          <span className="share-label">Connect address (share this)</span>
          <div className="share-value">
            <code className="share-code">{connect}</code>
            <CopyButton text={connect} what="connect address" />
          </div>
          {onlyLoopback ? (
            <p className="share-warning">
              The node announces only loopback addresses: other devices cannot reach it. Connect this computer to a
              network.
            </p>
          ) : (
            <p className="share-hint">Give this to the other device (Add Device → paste address).</p>
          )}
        </div>
      ) : (
        <p className="share-warning">The node announces no address yet, so other devices cannot dial it.</p>
      )}

      <div className="share-row">
        <span className="share-label">Peer ID</span>
        <div className="share-value">
          <code className="share-code">{peerId}</code>
          <CopyButton text={peerId} what="peer ID" />
        </div>
      </div>

      {announce.length > 0 && (
        <div className="share-row">
          <span className="share-label">Announced addresses</span>
          <ul className="address-list">
            {announce.map((addr) => {
              const scope = addrScope(addr);
              return (
                <li key={addr} className={`address address-${scope}`}>
                  <code className="share-code">{addr}</code>{' '}
                  <span className={`scope-badge scope-${scope}`}>{SCOPE_TEXT[scope]}</span>{' '}
                  <CopyButton text={withPeer(addr, peerId)} what={`address ${addr} with peer ID`} />
                </li>
              );
            })}
          </ul>
        </div>
      )}

      {spr && (
        <div className="share-row">
          <span className="share-label">Signed peer record (SPR)</span>
          <div className="share-value">
            <code className="share-code" title={spr}>
              {spr.length > SPR_PREVIEW ? `${spr.slice(0, SPR_PREVIEW)}…` : spr}
            </code>
            <CopyButton text={spr} what="SPR" />
          </div>
        </div>
      )}
    </>
  );
}
