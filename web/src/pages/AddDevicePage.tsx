import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import {
  addDevice,
  classifyCode,
  connectionState,
  nicknameProblem,
  shortDeviceId,
  shortPeerId,
  type AddedDevice,
  type CodeClass,
  type Pairing,
} from '../api/devices';
import { useEventStream } from '../api/events';
import { NODE_EVENTS, statusOfEvent, type NodeState } from '../api/node';
import { CopyButton } from '../components/CopyButton';
import { errorText } from '../lib/errorText';
import { deviceLabel, formatLatency, StatusBadge } from './devices/DeviceCard';
import { ThisDeviceCard } from './devices/ThisDeviceCard';
import '../styles/devices.css';
import './devices/link.css';

type Step =
  | { name: 'input' }
  | { name: 'connecting'; who: string }
  | { name: 'success'; device: AddedDevice }
  | { name: 'error'; status: number; message: string };

/**
 * Route /devices/add (reference §7.2): paste the other device's code, and
 * the backend connects to it through the node and pairs it. A device code
 * (archivist1:…) pairs the apps for backups too: the backend sends the other
 * device this one's pairing request, and success says whether it arrived
 * (to be approved there) or what to do instead. Steps input →
 * connecting (the request itself is what is pending; nothing is timed
 * here) → success with the device the backend answered, or error with the
 * backend's message; Try again goes back with the code kept. ?code= fills
 * the code in (Pair on My Devices). This device's own code is shown too, so
 * two people can swap codes from one page.
 */
export function AddDevicePage() {
  const [params] = useSearchParams();
  const [code, setCode] = useState(() => params.get('code') ?? '');
  const [nickname, setNickname] = useState('');
  const [step, setStep] = useState<Step>({ name: 'input' });
  const [codeKey, setCodeKey] = useState(0);
  const nodeState = useRef<NodeState | null>(null);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  useEventStream('/api/events', {
    [NODE_EVENTS.started]: () => setCodeKey((k) => k + 1),
    [NODE_EVENTS.state]: (ev) => {
      // As on My Devices: a change of state, not of figures.
      const s = statusOfEvent(ev);
      if (!s) return;
      const prev = nodeState.current;
      nodeState.current = s.state;
      if (s.state === prev || (prev === null && s.state === 'running')) return;
      setCodeKey((k) => k + 1);
    },
  });

  const connect = (cls: CodeClass) => {
    if (cls.kind === 'invalid') return;
    setStep({ name: 'connecting', who: codeOwner(cls) });
    addDevice(code, nickname).then(
      (device) => {
        if (alive.current) setStep({ name: 'success', device });
      },
      (err: unknown) => {
        if (alive.current) setStep({ name: 'error', status: err instanceof ApiError ? err.status : 0, message: errorText(err) });
      },
    );
  };

  return (
    <section className="page add-device-page">
      <header className="page-header">
        <h2 className="page-title">Add Device</h2>
        <div className="page-actions">
          <Link className="button-link" to="/devices">
            My Devices
          </Link>
        </div>
      </header>

      <div className="devices-layout">
        <div className="devices-main">
          <section className="dash-panel wizard" aria-label="Add a device">
            {step.name === 'input' && (
              <InputStep
                code={code}
                nickname={nickname}
                onCode={setCode}
                onNickname={setNickname}
                onConnect={connect}
              />
            )}
            {step.name === 'connecting' && <ConnectingStep who={step.who} />}
            {step.name === 'success' && (
              <SuccessStep
                device={step.device}
                onAnother={() => {
                  setCode('');
                  setNickname('');
                  setStep({ name: 'input' });
                }}
              />
            )}
            {step.name === 'error' && (
              <ErrorStep status={step.status} message={step.message} onRetry={() => setStep({ name: 'input' })} />
            )}
          </section>
        </div>
        <aside className="devices-side">
          <ThisDeviceCard reloadKey={codeKey} />
        </aside>
      </div>
    </section>
  );
}

const KIND_TEXT = { spr: 'Signed peer record (SPR)', multiaddr: 'Multiaddr', peerId: 'Peer ID' } as const;

/** Who a code names, for "Connecting to …": a device code's name, else the short peer ID. */
function codeOwner(cls: Exclude<CodeClass, { kind: 'invalid' }>): string {
  if (cls.kind === 'device') return cls.name || `device ${shortDeviceId(cls.deviceId)}`;
  return cls.peerId ? shortPeerId(cls.peerId) : 'the device';
}

function InputStep({
  code,
  nickname,
  onCode,
  onNickname,
  onConnect,
}: {
  code: string;
  nickname: string;
  onCode: (s: string) => void;
  onNickname: (s: string) => void;
  onConnect: (cls: CodeClass) => void;
}) {
  const codeMsgId = useId();
  const nickId = useId();
  const nickMsgId = useId();
  const textareaRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    textareaRef.current?.focus();
  }, []);

  const empty = code.trim() === '';
  const cls = empty ? null : classifyCode(code);
  const nickProblem = nicknameProblem(nickname, false);
  const ready = cls !== null && cls.kind !== 'invalid' && nickProblem === null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (ready) onConnect(cls);
  };

  return (
    <form className="wizard-step wizard-input" noValidate onSubmit={submit}>
      <p className="wizard-intro">
        Paste the other device&apos;s device code (<code>archivist1:…</code>, under This device on its Devices page):
        it pairs the two devices for backups. For a bare archivist-node, paste its signed peer record (
        <code>spr:…</code>), its connect address (a multiaddr ending in <code>/p2p/&lt;peer ID&gt;</code>), or its
        peer ID. This device connects to it and remembers it.
      </p>
      <div className="field">
        <label htmlFor="peer-address">Device code</label>
        <textarea
          id="peer-address"
          ref={textareaRef}
          rows={3}
          value={code}
          placeholder="Paste device code (archivist1:...), SPR (spr:...), multiaddr (/ip4/.../p2p/...) or peer ID"
          spellCheck={false}
          autoComplete="off"
          autoCapitalize="off"
          aria-invalid={cls?.kind === 'invalid'}
          aria-describedby={codeMsgId}
          onChange={(e) => onCode(e.target.value)}
        />
        <p id={codeMsgId} className={codeMessageClass(cls)} aria-live="polite">
          {codeMessage(cls)}
        </p>
      </div>
      <div className="field">
        <label htmlFor={nickId}>Name (optional)</label>
        <input
          id={nickId}
          type="text"
          value={nickname}
          placeholder="e.g. Office laptop"
          spellCheck={false}
          autoComplete="off"
          aria-invalid={nickProblem !== null}
          aria-describedby={nickMsgId}
          onChange={(e) => onNickname(e.target.value)}
        />
        <p id={nickMsgId} className={nickProblem ? 'field-error' : 'field-hint'}>
          {nickProblem ?? 'How this device is listed on My Devices; its short peer ID when left empty.'}
        </p>
      </div>
      <div className="wizard-actions">
        <Link className="button-link" to="/devices">
          Cancel
        </Link>
        <button type="submit" className="primary" disabled={!ready}>
          Connect
        </button>
      </div>
    </form>
  );
}

function codeMessage(cls: CodeClass | null): string {
  if (cls === null) return 'Get it from the other device: Devices → This device (copy the device code).';
  switch (cls.kind) {
    case 'invalid':
      return cls.reason;
    case 'device': {
      const server = cls.backupServer ? ', a backup server' : '';
      return `✓ Device code of ${cls.name || 'a device'} (device ID ${shortDeviceId(cls.deviceId)}${server}): pairs the two devices for backups.`;
    }
    case 'peerId':
      return `✓ Peer ID of device ${shortPeerId(cls.peerId)}: the node looks it up on the network. If that fails, use its connect address or SPR.`;
    default:
      return `✓ ${KIND_TEXT[cls.kind]}${cls.peerId ? ` of device ${shortPeerId(cls.peerId)}` : ''}.`;
  }
}

function codeMessageClass(cls: CodeClass | null): string {
  if (cls === null) return 'field-hint';
  return cls.kind === 'invalid' ? 'field-error' : 'field-hint code-ok';
}

/** Focuses a step's heading when the step appears, so screen readers announce it. */
function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}

function ConnectingStep({ who }: { who: string }) {
  const ref = useFocusOnMount<HTMLHeadingElement>();
  return (
    <div className="wizard-step wizard-connecting" role="status">
      <span className="spinner" aria-hidden="true" />
      <div>
        <h3 ref={ref} tabIndex={-1}>
          Connecting to {who}…
        </h3>
        <p className="field-hint">The node is dialling it; this can take up to 45 seconds when it is unreachable.</p>
      </div>
    </div>
  );
}

function SuccessStep({ device, onAnother }: { device: AddedDevice; onAnother: () => void }) {
  const ref = useFocusOnMount<HTMLHeadingElement>();
  const label = deviceLabel(device);
  // The answer has no "live" flag: connected=false after a successful dial
  // means the node cannot report its connections, so it stays unknown.
  const state = connectionState(device.connected, device.connected);
  return (
    <div className="wizard-step wizard-success">
      <h3 ref={ref} tabIndex={-1}>
        Device Connected!
      </h3>
      <dl className="device-facts">
        <div>
          <dt>Name</dt>
          <dd className="device-name-value">{label}</dd>
        </div>
        <div>
          <dt>Peer ID</dt>
          <dd>
            <code title={device.peerId}>{shortPeerId(device.peerId)}</code>{' '}
            <CopyButton text={device.peerId} what={`peer ID of ${label}`} />
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge state={state} />
            {state === 'unknown' && (
              <span className="field-hint"> — the node connected but does not report its connections.</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Latency</dt>
          <dd>{formatLatency(device.latencyMs)}</dd>
        </div>
      </dl>
      {device.pairing && <PairingOutcome pairing={device.pairing} fallbackName={label} />}
      <div className="wizard-actions">
        <Link className="button-link primary" to="/devices">
          Go to My Devices
        </Link>
        <button type="button" onClick={onAnother}>
          Add another
        </button>
      </div>
    </div>
  );
}

/**
 * What pairing by a device code did on the other side: the request arrived
 * and waits for approval there, or it could not be delivered and the other
 * device has to paste this one's code (shown beside, under This device).
 */
function PairingOutcome({ pairing, fallbackName }: { pairing: Pairing; fallbackName: string }) {
  const name = pairing.peer.name || fallbackName;
  if (pairing.delivered) {
    return (
      <p className="pairing-outcome pairing-delivered" role="status">
        Paired. Approve this device on {name} to finish (Devices → Pairing requests there).
      </p>
    );
  }
  return (
    <p className="pairing-outcome pairing-undelivered" role="alert">
      Paired on this side, but {name} could not be reached
      {pairing.requestError ? `: ${pairing.requestError}` : ''}. Paste this device&apos;s code on {name} to finish.
    </p>
  );
}

const ERROR_TITLE: Record<number, string> = {
  400: 'Code Not Accepted',
  503: 'Node Not Running',
};

function ErrorStep({ status, message, onRetry }: { status: number; message: string; onRetry: () => void }) {
  const ref = useFocusOnMount<HTMLHeadingElement>();
  return (
    <div className="wizard-step wizard-failed">
      <h3 ref={ref} tabIndex={-1}>
        {ERROR_TITLE[status] ?? 'Connection Failed'}
      </h3>
      <p className="wizard-error" role="alert">
        {message}
      </p>
      {status === 503 && (
        <p className="field-hint">
          Start the node from the <Link to="/">Dashboard</Link>, then try again.
        </p>
      )}
      <div className="wizard-actions">
        <Link className="button-link" to="/devices">
          Cancel
        </Link>
        <button type="button" className="primary" onClick={onRetry}>
          Try again
        </button>
      </div>
    </div>
  );
}
