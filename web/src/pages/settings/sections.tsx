// The sections of the Settings page (reference §8.9), each a controlled view
// of one part of the draft config. Hints state the server's limits (see
// internal/app/config/validate.go) so a warning here never contradicts it.
import { useContext, useId, type ReactNode } from 'react';
import {
  NEW_SOURCE_PEER,
  type BackupServerConfig,
  type Config,
  type ManifestServerConfig,
  type NodeConfig,
  type SourcePeer,
  type SyncConfig,
} from '../../api/config';
import {
  CheckboxField,
  NumberField,
  ProblemsContext,
  SelectField,
  TagListField,
  TextField,
  type SelectOption,
} from './fields';

const PORT = { min: 1024, max: 65535 };
const PORT_HINT = 'Port 1024–65535.';
/** Every [node] key but log_level and auto_start is a flag of the node's command line (config.NeedsNodeRestart). */
const NODE_RESTART = 'Saving restarts the node.';
const MAX_INTERVAL_SECS = 365 * 24 * 3600;
/** config.maxKeep: the most versions a retention rule may keep. */
const MAX_KEEP = 100000;

/** A titled block of the page: an h3 labelling a region. */
export function SettingsSection({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="settings-section" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

type Patch<T> = (patch: Partial<T>) => void;

const THEMES: SelectOption[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function GeneralSection({ config, set }: { config: Config; set: Patch<Config> }) {
  return (
    <SettingsSection title="General">
      <SelectField
        name="theme"
        label="Theme"
        value={config.theme}
        options={THEMES}
        onChange={(theme) => set({ theme })}
        hint="Archivist has one look for now, the dark terminal theme; the choice is kept in config.toml."
      />
      <CheckboxField
        name="start_minimized"
        label="Start minimized to system tray"
        checked={config.start_minimized}
        onChange={(start_minimized) => set({ start_minimized })}
      />
      <CheckboxField
        name="start_on_boot"
        label="Start automatically on system boot"
        checked={config.start_on_boot}
        onChange={(start_on_boot) => set({ start_on_boot })}
      />
    </SettingsSection>
  );
}

const LOG_LEVELS: SelectOption[] = [
  { value: 'TRACE', label: 'TRACE — everything, very verbose' },
  { value: 'DEBUG', label: 'DEBUG — detailed diagnostics (default)' },
  { value: 'INFO', label: 'INFO — normal operation' },
  { value: 'NOTICE', label: 'NOTICE — significant events only' },
  { value: 'WARN', label: 'WARN — warnings and errors' },
  { value: 'ERROR', label: 'ERROR — errors only' },
  { value: 'FATAL', label: 'FATAL — fatal errors only' },
];

export function NodeSection({ node, set }: { node: NodeConfig; set: Patch<NodeConfig> }) {
  return (
    <SettingsSection title="Node">
      <TextField
        name="node.data_directory"
        label="Data Directory"
        value={node.data_directory}
        onChange={(data_directory) => set({ data_directory })}
        browse="directory"
        hint={`Absolute path where the node keeps its data. ${NODE_RESTART}`}
      />
      <div className="field-grid">
        <NumberField
          name="node.api_port"
          label="API Port"
          {...PORT}
          value={node.api_port}
          onChange={(api_port) => set({ api_port })}
          hint={`${PORT_HINT} The node's REST API (default 8080). ${NODE_RESTART}`}
        />
        <NumberField
          name="node.discovery_port"
          label="Discovery Port (UDP)"
          {...PORT}
          value={node.discovery_port}
          onChange={(discovery_port) => set({ discovery_port })}
          hint={`${PORT_HINT} Peer discovery (default 8090). ${NODE_RESTART}`}
        />
        <NumberField
          name="node.listen_port"
          label="Listen Port (TCP)"
          {...PORT}
          value={node.listen_port}
          onChange={(listen_port) => set({ listen_port })}
          hint={`${PORT_HINT} Peer connections; open it in your firewall (default 8070). ${NODE_RESTART}`}
        />
        <NumberField
          name="node.max_storage_gb"
          label="Max Storage (GB)"
          min={1}
          max={1 << 20}
          value={node.max_storage_gb}
          onChange={(max_storage_gb) => set({ max_storage_gb })}
          hint={`Space the node may use, at least 1 GB. ${NODE_RESTART}`}
        />
      </div>
      <SelectField
        name="node.log_level"
        label="Log Level"
        value={node.log_level}
        options={LOG_LEVELS}
        onChange={(log_level) => set({ log_level })}
        hint="Applies to the running node without a restart."
      />
      <CheckboxField
        name="node.auto_start"
        label="Start node automatically with app"
        checked={node.auto_start}
        onChange={(auto_start) => set({ auto_start })}
        hint="Read when the app starts."
      />
      <TextField
        name="node.binary"
        label="Node Binary (optional)"
        value={node.binary}
        placeholder="built-in node"
        onChange={(binary) => set({ binary })}
        hint={`Absolute path to an archivist-node compatible executable; empty runs the built-in node. ${NODE_RESTART}`}
      />
    </SettingsSection>
  );
}

export function SyncSection({
  sync,
  set,
  onListRemove,
}: {
  sync: SyncConfig;
  set: Patch<SyncConfig>;
  onListRemove: (key: string) => void;
}) {
  // The backup-peer fields show while "Backup to Peer" is on, and also when
  // the server has something to say about one of them.
  const problems = useContext(ProblemsContext);
  const backupProblem = [...problems.keys()].some((k) => /^sync\.(backup_peer_|backup_manifest|backup_auto|backup_trigger|manifest_)/.test(k));
  return (
    <SettingsSection title="Sync">
      <CheckboxField
        name="sync.auto_sync"
        label="Automatically sync watched folders"
        checked={sync.auto_sync}
        onChange={(auto_sync) => set({ auto_sync })}
      />
      <div className="field-grid">
        <NumberField
          name="sync.sync_interval_seconds"
          label="Sync Interval (seconds)"
          min={1}
          max={MAX_INTERVAL_SECS}
          value={sync.sync_interval_seconds}
          onChange={(sync_interval_seconds) => set({ sync_interval_seconds })}
          hint="How often watched folders are rescanned (default 300)."
        />
        <NumberField
          name="sync.bandwidth_limit_mbps"
          label="Bandwidth Limit (Mbps)"
          min={0}
          blankValue={0}
          placeholder="Unlimited"
          value={sync.bandwidth_limit_mbps}
          onChange={(bandwidth_limit_mbps) => set({ bandwidth_limit_mbps })}
          hint="Leave blank for unlimited. Not enforced yet: uploads use the full bandwidth."
        />
      </div>
      <TagListField
        name="sync.exclude_patterns"
        label="Exclude Patterns"
        entryLabel="New exclude pattern"
        items={sync.exclude_patterns}
        onChange={(exclude_patterns) => set({ exclude_patterns })}
        onRemove={() => onListRemove('sync.exclude_patterns')}
        placeholder="*.tmp"
        emptyText="Nothing excluded."
        hint="Files matching these patterns are not backed up."
      />
      <CheckboxField
        name="sync.backup_enabled"
        label="Backup to Peer"
        checked={sync.backup_enabled}
        onChange={(backup_enabled) => set({ backup_enabled })}
        hint="Send manifests of your watched folders to a backup peer."
      />
      {(sync.backup_enabled || backupProblem) && (
        <div className="field-group">
          <TextField
            name="sync.backup_peer_address"
            label="Backup Peer Address"
            value={sync.backup_peer_address}
            placeholder="/ip4/<public-ip>/tcp/8070/p2p/<peer-id>"
            onChange={(backup_peer_address) => set({ backup_peer_address })}
            hint="The backup peer's multiaddr or SPR."
          />
          <TextField
            name="sync.backup_peer_nickname"
            label="Backup Peer Nickname"
            value={sync.backup_peer_nickname}
            onChange={(backup_peer_nickname) => set({ backup_peer_nickname })}
          />
          <CheckboxField
            name="sync.backup_manifest_enabled"
            label="Generate manifest files"
            checked={sync.backup_manifest_enabled}
            onChange={(backup_manifest_enabled) => set({ backup_manifest_enabled })}
          />
          <CheckboxField
            name="sync.backup_auto_notify"
            label="Automatically notify backup peer"
            checked={sync.backup_auto_notify}
            onChange={(backup_auto_notify) => set({ backup_auto_notify })}
          />
          <div className="field-grid">
            <NumberField
              name="sync.backup_trigger_port"
              label="Backup Peer Trigger Port"
              {...PORT}
              value={sync.backup_trigger_port}
              onChange={(backup_trigger_port) => set({ backup_trigger_port })}
              hint={`${PORT_HINT} Kept for the reference's config file: this app reaches the backup device at the address it learned when pairing.`}
            />
            <NumberField
              name="sync.manifest_update_threshold"
              label="Manifest Update Threshold"
              min={1}
              max={100000}
              value={sync.manifest_update_threshold}
              onChange={(manifest_update_threshold) => set({ manifest_update_threshold })}
              hint="Changes that trigger a new manifest (default 10)."
            />
            <NumberField
              name="sync.manifest_retry_interval_secs"
              label="Manifest Retry Interval (seconds)"
              min={1}
              max={MAX_INTERVAL_SECS}
              value={sync.manifest_retry_interval_secs}
              onChange={(manifest_retry_interval_secs) => set({ manifest_retry_interval_secs })}
            />
            <NumberField
              name="sync.manifest_max_retries"
              label="Manifest Max Retries"
              min={0}
              max={1000}
              value={sync.manifest_max_retries}
              onChange={(manifest_max_retries) => set({ manifest_max_retries })}
            />
          </div>
        </div>
      )}
    </SettingsSection>
  );
}

export function ManifestServerSection({
  m,
  set,
  onListRemove,
}: {
  m: ManifestServerConfig;
  set: Patch<ManifestServerConfig>;
  onListRemove: (key: string) => void;
}) {
  return (
    <SettingsSection title="Manifest Server">
      <CheckboxField
        name="manifest_server.enabled"
        label="Enable manifest server"
        checked={m.enabled}
        onChange={(enabled) => set({ enabled })}
        hint="Lets your backup peers fetch the manifests of this machine's folders."
      />
      <NumberField
        name="manifest_server.port"
        label="Manifest Server Port"
        {...PORT}
        value={m.port}
        onChange={(port) => set({ port })}
        hint={`${PORT_HINT} Default 8085.`}
      />
      <TagListField
        name="manifest_server.allowed_ips"
        label="Allowed IPs"
        entryLabel="New allowed IP"
        items={m.allowed_ips}
        onChange={(allowed_ips) => set({ allowed_ips })}
        onRemove={() => onListRemove('manifest_server.allowed_ips')}
        placeholder="192.168.1.20 or 192.168.1.0/24"
        emptyText="No IPs allowed."
        hint="IP addresses or CIDR ranges. Kept for the reference's config file and not used: only paired devices, checked by their keys, can fetch manifests."
      />
    </SettingsSection>
  );
}

export function BackupServerSection({
  b,
  set,
  onListRemove,
}: {
  b: BackupServerConfig;
  set: Patch<BackupServerConfig>;
  onListRemove: (key: string) => void;
}) {
  const retentionId = useId();
  const peers = b.source_peers;
  const setPeer = (i: number, patch: Partial<SourcePeer>) =>
    set({ source_peers: peers.map((p, j) => (j === i ? { ...p, ...patch } : p)) });

  return (
    <SettingsSection title="Backup Server">
      <CheckboxField
        name="backup_server.enabled"
        label="Enable backup server"
        checked={b.enabled}
        onChange={(enabled) => set({ enabled })}
        hint="Keep copies of the files your source peers back up to this machine."
      />
      <div className="field-grid">
        <NumberField
          name="backup_server.poll_interval_secs"
          label="Poll Interval (seconds)"
          min={1}
          max={MAX_INTERVAL_SECS}
          value={b.poll_interval_secs}
          onChange={(poll_interval_secs) => set({ poll_interval_secs })}
          hint="How often source peers are asked for new manifests (default 30)."
        />
        <NumberField
          name="backup_server.max_concurrent_downloads"
          label="Max Concurrent Downloads"
          min={1}
          max={64}
          value={b.max_concurrent_downloads}
          onChange={(max_concurrent_downloads) => set({ max_concurrent_downloads })}
          hint="1–64 (default 3)."
        />
        <NumberField
          name="backup_server.max_retries"
          label="Max Retries"
          min={0}
          max={1000}
          value={b.max_retries}
          onChange={(max_retries) => set({ max_retries })}
          hint="Attempts per failed download (default 3)."
        />
        <NumberField
          name="backup_server.trigger_port"
          label="Trigger Port"
          {...PORT}
          value={b.trigger_port}
          onChange={(trigger_port) => set({ trigger_port })}
          hint={`${PORT_HINT} Where source peers say "back up now" (default 8086).`}
        />
      </div>
      <CheckboxField
        name="backup_server.auto_delete_tombstones"
        label="Delete files that were deleted on the source"
        checked={b.auto_delete_tombstones}
        onChange={(auto_delete_tombstones) => set({ auto_delete_tombstones })}
      />

      <h4 id={retentionId} className="subsection-title">
        Versions to keep
      </h4>
      <p id={`${retentionId}-help`} className="field-hint retention-help">
        Each backed-up folder keeps the versions any of these rules selects; the others are removed. The newest version
        is always kept. 0 turns a rule off.
      </p>
      <div className="field-grid" role="group" aria-labelledby={retentionId} aria-describedby={`${retentionId}-help`}>
        <NumberField
          name="backup_server.keep_last"
          label="Keep last N versions"
          min={0}
          max={MAX_KEEP}
          value={b.keep_last}
          onChange={(keep_last) => set({ keep_last })}
          hint="The newest N versions (default 10)."
        />
        <NumberField
          name="backup_server.keep_hourly"
          label="Keep one per hour for N hours"
          min={0}
          max={MAX_KEEP}
          value={b.keep_hourly}
          onChange={(keep_hourly) => set({ keep_hourly })}
          hint="The newest version of each of the last N hours that have one (default 24)."
        />
        <NumberField
          name="backup_server.keep_daily"
          label="Keep one per day for N days"
          min={0}
          max={MAX_KEEP}
          value={b.keep_daily}
          onChange={(keep_daily) => set({ keep_daily })}
          hint="The newest version of each of the last N days that have one (default 7)."
        />
        <NumberField
          name="backup_server.keep_weekly"
          label="Keep one per week for N weeks"
          min={0}
          max={MAX_KEEP}
          value={b.keep_weekly}
          onChange={(keep_weekly) => set({ keep_weekly })}
          hint="The newest version of each of the last N weeks that have one (default 8)."
        />
      </div>

      <h4 className="subsection-title">Source Peers</h4>
      {peers.length === 0 && <p className="tag-empty">No source peers yet.</p>}
      {peers.map((peer, i) => {
        const key = `backup_server.source_peers[${i}]`;
        return (
          <fieldset key={i} className="peer-card">
            <legend>
              Source peer {i + 1}
              {peer.nickname !== '' && <span className="peer-nickname"> — {peer.nickname}</span>}
            </legend>
            <CheckboxField
              name={`${key}.enabled`}
              label="Enabled"
              checked={peer.enabled}
              onChange={(enabled) => setPeer(i, { enabled })}
            />
            <div className="field-grid">
              <TextField
                name={`${key}.nickname`}
                label="Nickname"
                value={peer.nickname}
                onChange={(nickname) => setPeer(i, { nickname })}
              />
              <TextField
                name={`${key}.host`}
                label="Host / IP"
                value={peer.host}
                placeholder="192.168.1.10"
                onChange={(host) => setPeer(i, { host })}
              />
              <NumberField
                name={`${key}.manifest_port`}
                label="Manifest Port"
                {...PORT}
                value={peer.manifest_port}
                onChange={(manifest_port) => setPeer(i, { manifest_port })}
                hint={`${PORT_HINT} Default 8085.`}
              />
              <TextField
                name={`${key}.peer_id`}
                label="Peer ID (optional)"
                value={peer.peer_id}
                onChange={(peer_id) => setPeer(i, { peer_id })}
              />
            </div>
            <TextField
              name={`${key}.multiaddr`}
              label="P2P Multiaddr (optional)"
              value={peer.multiaddr}
              placeholder="/ip4/<ip>/tcp/8070/p2p/<peer-id>"
              onChange={(multiaddr) => setPeer(i, { multiaddr })}
            />
            <button
              type="button"
              className="danger"
              aria-label={`Remove source peer ${i + 1}`}
              onClick={() => {
                set({ source_peers: peers.filter((_, j) => j !== i) });
                onListRemove('backup_server.source_peers');
              }}
            >
              Remove
            </button>
          </fieldset>
        );
      })}
      <button type="button" onClick={() => set({ source_peers: [...peers, { ...NEW_SOURCE_PEER }] })}>
        + Add Source Peer
      </button>
    </SettingsSection>
  );
}
