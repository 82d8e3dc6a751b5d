import { Link } from 'react-router-dom';
import { shortPeerId, type Peer } from '../../api/devices';
import { CopyButton } from '../../components/CopyButton';
import { formatRelativeTime } from '../../lib/format';
import { formatLatency } from './DeviceCard';

/** Add Device with the peer's ID filled in. */
export function pairLink(peerId: string): string {
  return `/devices/add?code=${encodeURIComponent(peerId)}`;
}

/**
 * The node's connected peers that are not paired devices (DHT neighbours,
 * bootstrap nodes, a device that paired with this one but not back), each
 * with Pair. Only what the node reports: with no live facts it says so.
 */
export function OtherPeers({ peers, live, nodeRunning, now }: { peers: Peer[]; live: boolean; nodeRunning: boolean; now: number }) {
  if (!nodeRunning) return <p className="empty-state">None: the node is not running.</p>;
  if (!live) return <p className="empty-state">Unknown: the node does not say which peers are connected.</p>;
  if (peers.length === 0) return <p className="empty-state">No other peers are connected.</p>;
  return (
    <div className="table-scroll">
      <table className="files-table peers-table">
        <thead>
          <tr>
            <th scope="col">Peer ID</th>
            <th scope="col">Latency</th>
            <th scope="col">Dialled by</th>
            <th scope="col">Connected</th>
            <th scope="col">Software</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {peers.map((p) => {
            const short = shortPeerId(p.peerId);
            return (
              <tr key={p.peerId}>
                <td className="file-cid">
                  <code title={p.peerId}>{short}</code> <CopyButton text={p.peerId} what={`peer ID ${short}`} />
                </td>
                <td>{formatLatency(p.latencyMs)}</td>
                <td>{p.direction === 'outbound' ? 'this device' : p.direction === 'inbound' ? 'the peer' : p.direction || '—'}</td>
                <td>{p.connectedSince ? formatRelativeTime(p.connectedSince, now) : '—'}</td>
                <td className="peer-agent">{p.agentVersion || '—'}</td>
                <td>
                  <Link className="button-link small-link" to={pairLink(p.peerId)}>
                    Pair <span className="visually-hidden">{short}</span>
                  </Link>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
