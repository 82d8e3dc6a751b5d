import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  connectionState,
  MAX_NICKNAME,
  nicknameProblem,
  shortDeviceId,
  shortPeerId,
  type ConnectionState,
  type Device,
  type LinkPeer,
} from '../../api/devices';
import { CopyButton } from '../../components/CopyButton';
import { errorText } from '../../lib/errorText';
import { formatBytes, formatRelativeTime } from '../../lib/format';

/** An action under way on a device. */
export type DeviceAction = 'connect' | 'disconnect' | 'remove' | 'rename';

export type Notice = { kind: 'ok' | 'error'; text: string };

const STATE_TEXT: Record<ConnectionState, string> = { online: 'Online', offline: 'Offline', unknown: 'Unknown' };

/** What a device is called in labels and messages (nicknames are peer-chosen text, shown as text). */
export function deviceLabel(d: Device): string {
  return d.nickname || shortPeerId(d.peerId);
}

/** Latency for people: "12 ms", "<1 ms", or "—" when the node has no figure. */
export function formatLatency(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1) return '<1 ms';
  return `${Math.round(ms)} ms`;
}

/** Online / Offline / Unknown as a dot and a word (the word is what screen readers get). */
export function StatusBadge({ state }: { state: ConnectionState }) {
  return (
    <span className={`badge device-badge ${state}`}>
      <span className="badge-dot device-dot" aria-hidden="true" />
      {STATE_TEXT[state]}
    </span>
  );
}

interface Props {
  device: Device;
  /** Whether connection facts are live (see DeviceList.live). */
  live: boolean;
  nodeRunning: boolean;
  /** The action under way on this device, if any. */
  busy: DeviceAction | undefined;
  notice: Notice | undefined;
  /** The app link's peer with this device's node, if any (paired, or asking to pair). */
  linked?: LinkPeer;
  now: number;
  onConnect: (d: Device) => void;
  onDisconnect: (d: Device) => void;
  onRemove: (d: Device) => void;
  /** Resolves when renamed; rejects with the server's refusal. */
  onRename: (d: Device, nickname: string) => Promise<void>;
}

/**
 * One paired device: name (renameable in place), status from the node,
 * peer ID, latency, last seen, whether the apps are paired for backups,
 * addresses, why the last connection attempt failed, and Connect /
 * Disconnect / Remove. When the node cannot say
 * whether it is connected, the state is Unknown and both Connect and
 * Disconnect are offered.
 */
export function DeviceCard({ device: d, live, nodeRunning, busy, notice, linked, now, ...on }: Props) {
  const nameId = useId();
  const state = connectionState(d.connected, live);
  const label = deviceLabel(d);
  const [editing, setEditing] = useState(false);
  const renameRef = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  // Back from editing: focus returns to Rename.
  useEffect(() => {
    if (wasEditing.current && !editing) renameRef.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const noNode = nodeRunning ? undefined : 'The node is not running';

  return (
    <li className={`device-card device-${state}`}>
      <article aria-labelledby={nameId}>
        <div className="device-head">
          <StatusBadge state={state} />
          {editing ? (
            <RenameForm
              device={d}
              label={label}
              onCancel={() => setEditing(false)}
              onSave={(name) => on.onRename(d, name).then(() => setEditing(false))}
            />
          ) : (
            <>
              <h3 id={nameId} className="device-name">
                {label}
              </h3>
              <button
                type="button"
                ref={renameRef}
                className="link-button"
                disabled={busy !== undefined}
                onClick={() => setEditing(true)}
              >
                Rename <span className="visually-hidden">{label}</span>
              </button>
            </>
          )}
        </div>
        {editing && (
          <span id={nameId} className="visually-hidden">
            {label}
          </span>
        )}

        <dl className="device-facts">
          <div>
            <dt>Peer ID</dt>
            <dd>
              <code title={d.peerId}>{shortPeerId(d.peerId)}</code>{' '}
              <CopyButton text={d.peerId} what={`peer ID of ${label}`} />
            </dd>
          </div>
          <div>
            <dt>Latency</dt>
            <dd>{state === 'online' ? formatLatency(d.latencyMs) : '—'}</dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd>
              {d.lastSeen ? (
                <time dateTime={d.lastSeen} title={new Date(d.lastSeen).toLocaleString()}>
                  {formatRelativeTime(d.lastSeen, now)}
                </time>
              ) : (
                'never'
              )}
            </dd>
          </div>
          {linked && (
            <div>
              <dt>Backup link</dt>
              <dd className={`link-state link-${linked.state}`}>
                {linked.state === 'paired' ? 'paired' : 'asks to pair (see Pairing requests)'}
                {linked.backupServer ? ' · backup server' : ''} ·{' '}
                <code title={linked.device}>{shortDeviceId(linked.device)}</code>
              </dd>
            </div>
          )}
          {state === 'online' && (
            <>
              {d.direction && (
                <div>
                  <dt>Dialled by</dt>
                  <dd>{d.direction === 'outbound' ? 'this device' : d.direction === 'inbound' ? 'the other device' : d.direction}</dd>
                </div>
              )}
              <div>
                <dt>Traffic</dt>
                <dd>
                  ↓ {formatBytes(d.bytesIn)} · ↑ {formatBytes(d.bytesOut)}
                </dd>
              </div>
              {d.agentVersion && (
                <div>
                  <dt>Software</dt>
                  <dd className="device-agent">{d.agentVersion}</dd>
                </div>
              )}
            </>
          )}
        </dl>

        <AddressList title="Addresses" addresses={d.addresses} empty="None known: it is looked up by its peer ID." />
        {state === 'online' && d.remoteAddresses.length > 0 && (
          <AddressList title="Connected via" addresses={d.remoteAddresses} />
        )}

        {d.lastError && (
          <p className="device-last-error">
            <span className="device-last-error-label">Last connection attempt failed:</span> {d.lastError}
          </p>
        )}

        {notice && (
          <p className={notice.kind === 'ok' ? 'success-banner' : 'field-error'} role={notice.kind === 'ok' ? 'status' : 'alert'}>
            {notice.text}
          </p>
        )}

        <div className="device-actions">
          {state !== 'online' && (
            <button
              type="button"
              className="primary"
              disabled={busy !== undefined || !nodeRunning}
              title={noNode}
              onClick={() => on.onConnect(d)}
            >
              {busy === 'connect' ? 'Connecting…' : 'Connect'} <span className="visually-hidden">{label}</span>
            </button>
          )}
          {state !== 'offline' && (
            <button
              type="button"
              disabled={busy !== undefined || !nodeRunning}
              title={noNode}
              onClick={() => on.onDisconnect(d)}
            >
              {busy === 'disconnect' ? 'Disconnecting…' : 'Disconnect'} <span className="visually-hidden">{label}</span>
            </button>
          )}
          <button type="button" className="danger" disabled={busy !== undefined} onClick={() => on.onRemove(d)}>
            {busy === 'remove' ? 'Removing…' : 'Remove'} <span className="visually-hidden">{label}</span>
          </button>
        </div>
      </article>
    </li>
  );
}

function AddressList({ title, addresses, empty }: { title: string; addresses: string[]; empty?: string }) {
  if (addresses.length === 0 && !empty) return null;
  return (
    <div className="device-addresses">
      <span className="share-label">{title}</span>
      {addresses.length === 0 ? (
        <p className="empty-state">{empty}</p>
      ) : (
        <ul className="address-list">
          {addresses.map((a) => (
            <li key={a}>
              <code className="share-code">{a}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The nickname in place of the name: Enter or Save sends it, Escape or Cancel goes back. */
function RenameForm({
  device,
  label,
  onSave,
  onCancel,
}: {
  device: Device;
  label: string;
  onSave: (nickname: string) => Promise<void>;
  onCancel: () => void;
}) {
  const inputId = useId();
  const errorId = useId();
  const [value, setValue] = useState(device.nickname);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    inputRef.current?.select();
  }, []);

  const problem = nicknameProblem(value, true);
  const error = problem ?? serverError;
  const unchanged = value.trim() === device.nickname;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (problem || saving) return;
    if (unchanged) {
      onCancel();
      return;
    }
    setSaving(true);
    setServerError(null);
    onSave(value).catch((err: unknown) => {
      setServerError(errorText(err));
      setSaving(false);
    });
  };

  return (
    <form
      className="rename-form"
      noValidate
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <label htmlFor={inputId} className="visually-hidden">
        New name for {label}
      </label>
      <input
        id={inputId}
        ref={inputRef}
        type="text"
        value={value}
        disabled={saving}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error !== null}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => {
          setValue(e.target.value);
          setServerError(null);
        }}
      />
      <button type="submit" className="small-button primary" disabled={problem !== null || saving}>
        {saving ? 'Saving…' : 'Save'}
      </button>
      <button type="button" className="small-button" disabled={saving} onClick={onCancel}>
        Cancel
      </button>
      <span className="rename-count" aria-hidden="true">
        {[...value.trim()].length}/{MAX_NICKNAME}
      </span>
      {error && (
        <p id={errorId} className="field-error rename-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
