import { useId } from 'react';
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
 * No QR code: there is no QR library in this app.
 */
export function ShareCard({ status, title }: { status: NodeStatus; title: string }) {
  const titleId = useId();
  const peerId = status.peerId;
  if (!peerId) return null;
  const announce = status.announceAddresses;
  const connect = connectAddress(announce, peerId);
  const onlyLoopback = announce.length > 0 && announce.every((a) => addrScope(a) === 'loopback');

  return (
    <section className="dash-panel share-card" aria-labelledby={titleId}>
      <h3 id={titleId} className="panel-heading">
        {title}
      </h3>

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

      {status.spr && (
        <div className="share-row">
          <span className="share-label">Signed peer record (SPR)</span>
          <div className="share-value">
            <code className="share-code" title={status.spr}>
              {status.spr.length > SPR_PREVIEW ? `${status.spr.slice(0, SPR_PREVIEW)}…` : status.spr}
            </code>
            <CopyButton text={status.spr} what="SPR" />
          </div>
        </div>
      )}
    </section>
  );
}
