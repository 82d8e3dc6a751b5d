import { useId } from 'react';
import { shortDeviceId, type LinkPeer } from '../../api/devices';
import { CopyButton } from '../../components/CopyButton';
import { formatRelativeTime } from '../../lib/format';
import type { Notice } from './DeviceCard';
import './link.css';

/** An action under way on a link peer. */
export type LinkAction = 'approve' | 'decline' | 'forget';

/** What a link peer is called in labels and messages (its name is peer-chosen text, shown as text). */
export function linkPeerLabel(p: LinkPeer): string {
  return p.name || shortDeviceId(p.device);
}

/** A device ID as its first two groups, the whole one on hover and in Copy. */
export function DeviceIdShort({ id, label }: { id: string; label: string }) {
  return (
    <>
      <code title={id}>{shortDeviceId(id)}</code> <CopyButton text={id} what={`device ID of ${label}`} />
    </>
  );
}

function When({ iso, now }: { iso: string | undefined; now: number }) {
  if (!iso) return <>unknown</>;
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {formatRelativeTime(iso, now)}
    </time>
  );
}

function NoticeLine({ notice }: { notice: Notice | undefined }) {
  if (!notice) return null;
  return (
    <p className={notice.kind === 'ok' ? 'success-banner' : 'field-error'} role={notice.kind === 'ok' ? 'status' : 'alert'}>
      {notice.text}
    </p>
  );
}

interface RequestsProps {
  /** The peers in state "requested". */
  peers: LinkPeer[];
  /** Approving pairs the nodes too, so it needs the node. */
  nodeRunning: boolean;
  busy: Record<string, LinkAction>;
  notices: Record<string, Notice>;
  now: number;
  onApprove: (p: LinkPeer) => void;
  onDecline: (p: LinkPeer) => void;
}

/**
 * Devices that pasted this device's code and ask to pair with it, each with
 * who it says it is, where the request came from, whether it keeps backups,
 * when it asked, and Approve / Decline. Nothing when there are none.
 */
export function PairingRequests({ peers, nodeRunning, busy, notices, now, onApprove, onDecline }: RequestsProps) {
  const titleId = useId();
  if (peers.length === 0) return null;
  return (
    <section className="dash-panel devices-panel pairing-requests" aria-labelledby={titleId}>
      <p id={titleId} className="panel-title">
        Pairing requests ({peers.length})
      </p>
      <p className="share-hint pairing-hint">
        These devices pasted this device&apos;s code and ask to pair with it for backups. Approve only devices you
        know: the device ID should match the start of the one shown under This device on the other device.
      </p>
      <ul className="device-list">
        {peers.map((p) => (
          <RequestCard
            key={p.device}
            peer={p}
            nodeRunning={nodeRunning}
            busy={busy[p.device]}
            notice={notices[p.device]}
            now={now}
            onApprove={onApprove}
            onDecline={onDecline}
          />
        ))}
      </ul>
    </section>
  );
}

function RequestCard({
  peer: p,
  nodeRunning,
  busy,
  notice,
  now,
  onApprove,
  onDecline,
}: {
  peer: LinkPeer;
  nodeRunning: boolean;
  busy: LinkAction | undefined;
  notice: Notice | undefined;
  now: number;
  onApprove: (p: LinkPeer) => void;
  onDecline: (p: LinkPeer) => void;
}) {
  const nameId = useId();
  const label = linkPeerLabel(p);
  return (
    <li className="device-card pairing-request">
      <article aria-labelledby={nameId}>
        <div className="device-head">
          <span className="badge device-badge requested">Wants to pair</span>
          <h3 id={nameId} className="device-name">
            {label}
          </h3>
        </div>
        <dl className="device-facts">
          <div>
            <dt>Device ID</dt>
            <dd>
              <DeviceIdShort id={p.device} label={label} />
            </dd>
          </div>
          <div>
            <dt>From</dt>
            <dd className="link-remote">{p.remoteAddr ?? 'unknown'}</dd>
          </div>
          <div>
            <dt>Backup server</dt>
            <dd>{p.backupServer ? 'yes' : 'no'}</dd>
          </div>
          <div>
            <dt>Asked</dt>
            <dd>
              <When iso={p.requestedAt} now={now} />
            </dd>
          </div>
        </dl>
        {p.backupServer && (
          <p className="share-hint link-backup-hint">
            It keeps other devices&apos; backups: approving makes it where this device backs up to, unless one is set
            already.
          </p>
        )}
        <NoticeLine notice={notice} />
        <div className="device-actions">
          <button
            type="button"
            className="primary"
            disabled={busy !== undefined || !nodeRunning}
            title={nodeRunning ? undefined : 'The node is not running'}
            onClick={() => onApprove(p)}
          >
            {busy === 'approve' ? 'Approving…' : 'Approve'} <span className="visually-hidden">{label}</span>
          </button>
          <button type="button" className="danger" disabled={busy !== undefined} onClick={() => onDecline(p)}>
            {busy === 'decline' ? 'Declining…' : 'Decline'} <span className="visually-hidden">{label}</span>
          </button>
        </div>
      </article>
    </li>
  );
}

/**
 * Apps paired on the link whose node is not one of the paired devices (its
 * device was removed, or not added yet), each with Forget. Nothing when
 * there are none: linked apps with a device show on its card.
 */
export function LinkedApps({
  peers,
  busy,
  notices,
  now,
  onForget,
}: {
  peers: LinkPeer[];
  busy: Record<string, LinkAction>;
  notices: Record<string, Notice>;
  now: number;
  onForget: (p: LinkPeer) => void;
}) {
  const titleId = useId();
  if (peers.length === 0) return null;
  return (
    <section className="dash-panel devices-panel linked-apps" aria-labelledby={titleId}>
      <p id={titleId} className="panel-title">
        Linked apps ({peers.length})
      </p>
      <p className="share-hint linked-apps-hint">
        Apps paired with this one for backups whose node is not among the paired devices.
      </p>
      <ul className="plain-list linked-app-list">
        {peers.map((p) => {
          const label = linkPeerLabel(p);
          return (
            <li key={p.device} className="linked-app">
              <span className="linked-app-name">{label}</span>{' '}
              <DeviceIdShort id={p.device} label={label} />
              {p.backupServer && <span className="linked-app-fact"> · backup server</span>}
              <span className="linked-app-fact">
                {' '}
                · paired <When iso={p.pairedAt} now={now} />
              </span>{' '}
              <button
                type="button"
                className="small-button danger"
                disabled={busy[p.device] !== undefined}
                onClick={() => onForget(p)}
              >
                {busy[p.device] === 'forget' ? 'Forgetting…' : 'Forget'} <span className="visually-hidden">{label}</span>
              </button>
              <NoticeLine notice={notices[p.device]} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
