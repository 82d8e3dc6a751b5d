import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ROUTER_FUTURE } from '../App';
import {
  DEVICE_PEER_ID,
  deviceJSON,
  ED25519_PEER_ID,
  FakeEventSource,
  installFakeEventSource,
  jsonResponse,
  OFFLINE_LINK,
  SHARE_CODE_JSON,
  stubFetch,
} from '../test/fakes';
import { DevicesPage } from './DevicesPage';
import { linkPeerJSON, linkStatusJSON, NAS_DEVICE_ID, THIS_DEVICE_CODE, THIS_DEVICE_ID } from './devices/linkFakes';

// Other peers in these tests; the page shows IDs as text and does not check them.
const DESKTOP_ID = '16Uiu2HAmQ1vDxHRCyJszUg8dv2LCY9fXRPLYgFrWhu3nC2uG1n8Q';
const NEIGHBOUR_ID = '16Uiu2HAkz8aXH4Dy6WUgQeFmaXkBMtEwVbN1RZJyo3pZHNbvLAdS';
// Another app on the link.
const OLD_DEVICE_ID = 'Q2LK-NNWG-23TP-OBYX-E43U-OV3H-O6LZ-PJAU-GQ2D-IRCA-MFRG-GZDF-MZTW';

const LAPTOP = deviceJSON();
const DESKTOP = deviceJSON({
  peerId: DESKTOP_ID,
  nickname: 'Desktop',
  ...OFFLINE_LINK,
  lastSeen: new Date(Date.now() - 5 * 60_000).toISOString(),
  lastError: 'could not connect to device 16Uiu2HA…2uG1n8Q: no answer within 45s',
});

function listJSON(over: Record<string, unknown> = {}) {
  return { devices: [DESKTOP, LAPTOP], otherPeers: [], nodeRunning: true, live: true, ...over };
}

/** This device's code as GET /api/devices/code answers it now: the device code and ID too. */
const CODE_JSON = { ...SHARE_CODE_JSON, code: THIS_DEVICE_CODE, deviceId: THIS_DEVICE_ID };

type Call = { url: string; method: string; body?: unknown };

/**
 * A fake backend: GET /api/devices from list() (changeable between calls),
 * GET /api/devices/code from code(), GET /api/link from link() (no peers by
 * default), everything else from send().
 */
function backend(
  list: () => Response = () => jsonResponse(listJSON()),
  send: (call: Call) => Response | Promise<Response> = () => jsonResponse({ error: 'unexpected' }, 500),
) {
  const calls: Call[] = [];
  const state = { list, send, code: () => jsonResponse(CODE_JSON), link: () => jsonResponse(linkStatusJSON()) };
  stubFetch((url, init) => {
    const method = init?.method ?? 'GET';
    const call: Call = { url, method, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    if (method === 'GET' && url === '/api/devices') return Promise.resolve(state.list());
    if (method === 'GET' && url === '/api/devices/code') return Promise.resolve(state.code());
    if (method === 'GET' && url === '/api/link') return Promise.resolve(state.link());
    return Promise.resolve(state.send(call));
  });
  return {
    calls,
    state,
    gets: () => calls.filter((c) => c.method === 'GET' && c.url === '/api/devices').length,
    linkGets: () => calls.filter((c) => c.method === 'GET' && c.url === '/api/link').length,
    sent: () => calls.filter((c) => c.method !== 'GET'),
  };
}

function renderPage() {
  return render(
    <MemoryRouter future={ROUTER_FUTURE}>
      <DevicesPage />
    </MemoryRouter>,
  );
}

function emit(type: string, data?: unknown) {
  const source = FakeEventSource.instances[0];
  if (!source) throw new Error('the page opened no event stream');
  act(() => source.emit(type, { type, time: 'now', data }));
}

/** The card of the device named name. */
function card(name: string): HTMLElement {
  const el = screen.getByRole('article', { name }).closest('li');
  if (!el) throw new Error(`no card for ${name}`);
  return el;
}

describe('DevicesPage', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  it('lists paired devices with the state, latency and last seen the node reports', async () => {
    backend();
    renderPage();
    expect(screen.getByRole('heading', { level: 2, name: 'Devices' })).toBeInTheDocument();
    expect(screen.getByText('Loading devices…')).toBeInTheDocument();

    await screen.findByRole('heading', { name: 'Laptop' });
    expect(screen.getByText('Paired devices (2)')).toBeInTheDocument();
    // Sorted as the backend sent them.
    expect(screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual(['Desktop', 'Laptop']);

    const laptop = card('Laptop');
    expect(within(laptop).getByText('Online')).toBeInTheDocument();
    expect(within(laptop).getByText('12 ms')).toBeInTheDocument();
    expect(within(laptop).getByText('just now')).toBeInTheDocument();
    expect(within(laptop).getByText('16Uiu2HA…zCjpiY')).toHaveAttribute('title', DEVICE_PEER_ID);
    expect(within(laptop).getByRole('button', { name: 'Copy peer ID of Laptop' })).toBeInTheDocument();
    expect(within(laptop).getByText('archivist-desktop/0.1.0')).toBeInTheDocument();
    expect(within(laptop).getByRole('button', { name: 'Disconnect Laptop' })).toBeEnabled();
    expect(within(laptop).queryByRole('button', { name: 'Connect Laptop' })).not.toBeInTheDocument();

    const desktop = card('Desktop');
    expect(within(desktop).getByText('Offline')).toBeInTheDocument();
    expect(within(desktop).getByText('—')).toBeInTheDocument(); // no latency
    expect(within(desktop).getByText('5 min ago')).toBeInTheDocument();
    expect(within(desktop).getByText(/no answer within 45s/)).toBeInTheDocument();
    expect(within(desktop).getByRole('button', { name: 'Connect Desktop' })).toBeEnabled();
    expect(within(desktop).queryByRole('button', { name: 'Disconnect Desktop' })).not.toBeInTheDocument();

    expect(screen.getByText('No other peers are connected.')).toBeInTheDocument();
    // Nothing from the link: no requests, no linked apps, no warnings.
    expect(screen.queryByRole('region', { name: /Pairing requests/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: /Linked apps/ })).not.toBeInTheDocument();
    expect(within(laptop).queryByText('Backup link')).not.toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says Unknown, never Offline, when the node cannot report connections', async () => {
    backend(() =>
      jsonResponse(listJSON({ live: false, liveError: 'this node does not list its peers', devices: [{ ...LAPTOP, ...OFFLINE_LINK }, DESKTOP] })),
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Laptop' });
    const paired = screen.getByRole('region', { name: 'Paired devices (2)' });
    expect(within(paired).getAllByText('Unknown')).toHaveLength(2);
    expect(within(paired).queryByText('Offline')).not.toBeInTheDocument();
    expect(within(paired).queryByText('Online')).not.toBeInTheDocument();
    expect(screen.getByText(/Connection states are unknown: this node does not list its peers/)).toBeInTheDocument();
    // Whether it is connected is unknown: both actions are offered.
    const laptop = card('Laptop');
    expect(within(laptop).getByRole('button', { name: 'Connect Laptop' })).toBeEnabled();
    expect(within(laptop).getByRole('button', { name: 'Disconnect Laptop' })).toBeEnabled();
    expect(screen.getByText(/Unknown: the node does not say which peers are connected/)).toBeInTheDocument();
  });

  it('shows a banner and disables connecting while the node is not running', async () => {
    backend(() => jsonResponse(listJSON({ nodeRunning: false, live: false, devices: [DESKTOP] })));
    renderPage();
    await screen.findByRole('heading', { name: 'Desktop' });
    expect(screen.getByRole('alert')).toHaveTextContent('The node is not running — start it from the Dashboard.');
    expect(within(card('Desktop')).getByText('Unknown')).toBeInTheDocument();
    expect(within(card('Desktop')).getByRole('button', { name: 'Connect Desktop' })).toBeDisabled();
    expect(within(card('Desktop')).getByRole('button', { name: 'Remove Desktop' })).toBeEnabled();
  });

  it('shows an empty state that links to Add Device', async () => {
    backend(() => jsonResponse(listJSON({ devices: [] })));
    renderPage();
    expect(await screen.findByText('No paired devices yet.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Add your first device' })).toHaveAttribute('href', '/devices/add');
    expect(screen.getByRole('link', { name: 'Add Device' })).toHaveAttribute('href', '/devices/add');
  });

  it('renames in place: validates, PATCHes and shows the new name', async () => {
    const b = backend(undefined, (call) =>
      call.method === 'PATCH' ? jsonResponse({ ...LAPTOP, nickname: 'Office laptop' }) : jsonResponse({}, 500),
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Laptop' });
    fireEvent.click(screen.getByRole('button', { name: 'Rename Laptop' }));

    const input = screen.getByRole('textbox', { name: 'New name for Laptop' });
    expect(input).toHaveValue('Laptop');
    fireEvent.change(input, { target: { value: 'x'.repeat(65) } });
    expect(screen.getByText('At most 64 characters (this one has 65).')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    fireEvent.change(input, { target: { value: '   ' } });
    expect(screen.getByText('Give the device a name.')).toBeInTheDocument();

    fireEvent.change(input, { target: { value: ' Office laptop ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('heading', { name: 'Office laptop' })).toBeInTheDocument();
    expect(b.sent()).toEqual([
      { url: `/api/devices/${DEVICE_PEER_ID}`, method: 'PATCH', body: { nickname: 'Office laptop' } },
    ]);
    expect(screen.queryByRole('textbox', { name: /New name/ })).not.toBeInTheDocument();
  });

  it("shows the server's refusal of a name and keeps editing", async () => {
    backend(undefined, () => jsonResponse({ error: 'the nickname is empty: give the device a name' }, 400));
    renderPage();
    await screen.findByRole('heading', { name: 'Laptop' });
    fireEvent.click(screen.getByRole('button', { name: 'Rename Laptop' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'New name for Laptop' }), { target: { value: '\u202e' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('the nickname is empty: give the device a name')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'New name for Laptop' })).toBeEnabled();
  });

  it('disconnects for real: POSTs, then the reloaded list shows it offline', async () => {
    let connected = true;
    const b = backend(
      () => jsonResponse(listJSON({ devices: [connected ? LAPTOP : { ...LAPTOP, ...OFFLINE_LINK }] })),
      (call) => {
        if (call.method === 'POST' && call.url === `/api/devices/${DEVICE_PEER_ID}/disconnect`) {
          connected = false;
          return new Response(null, { status: 204 });
        }
        return jsonResponse({ error: 'unexpected' }, 500);
      },
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Laptop' });
    expect(within(card('Laptop')).getByText('Online')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Disconnect Laptop' }));
    expect(screen.getByRole('button', { name: 'Disconnecting… Laptop' })).toBeDisabled();
    await waitFor(() => expect(within(card('Laptop')).getByText('Offline')).toBeInTheDocument());
    expect(b.sent()).toEqual([{ url: `/api/devices/${DEVICE_PEER_ID}/disconnect`, method: 'POST', body: undefined }]);
    expect(b.gets()).toBe(2);
    expect(within(card('Laptop')).getByRole('button', { name: 'Connect Laptop' })).toBeEnabled();
  });

  it("connects and shows the node's reason when it cannot", async () => {
    const b = backend(undefined, () =>
      jsonResponse({ error: 'could not connect to device 16Uiu2HA…2uG1n8Q: it did not answer' }, 502),
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Desktop' });
    fireEvent.click(screen.getByRole('button', { name: 'Connect Desktop' }));
    expect(screen.getByRole('button', { name: 'Connecting… Desktop' })).toBeDisabled();
    expect(await within(card('Desktop')).findByRole('alert')).toHaveTextContent(
      'Could not connect to Desktop: could not connect to device 16Uiu2HA…2uG1n8Q: it did not answer',
    );
    expect(b.sent()).toEqual([{ url: `/api/devices/${DESKTOP_ID}/connect`, method: 'POST', body: undefined }]);
  });

  it('asks before removing, and DELETEs only after confirming', async () => {
    let removed = false;
    const b = backend(
      () => jsonResponse(listJSON({ devices: removed ? [DESKTOP] : [DESKTOP, LAPTOP] })),
      (call) => {
        if (call.method === 'DELETE') {
          removed = true;
          return new Response(null, { status: 204 });
        }
        return jsonResponse({ error: 'unexpected' }, 500);
      },
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Laptop' });

    fireEvent.click(screen.getByRole('button', { name: 'Remove Laptop' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog).toHaveTextContent('Remove Laptop? It will be disconnected and forgotten.');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(b.sent()).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Remove Laptop' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove' }));
    expect(await screen.findByText('Removed Laptop: disconnected and forgotten.')).toBeInTheDocument();
    expect(b.sent()).toEqual([{ url: `/api/devices/${DEVICE_PEER_ID}`, method: 'DELETE', body: undefined }]);
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'Laptop' })).not.toBeInTheDocument());
    expect(screen.getByText('Paired devices (1)')).toBeInTheDocument();
  });

  it('reloads on devices-changed, once for a burst of events', async () => {
    let nickname = 'Laptop';
    const b = backend(() => jsonResponse(listJSON({ devices: [{ ...LAPTOP, nickname }] })));
    renderPage();
    await screen.findByRole('heading', { name: 'Laptop' });
    expect(b.gets()).toBe(1);

    nickname = 'Renamed elsewhere';
    emit('peer-connected', DEVICE_PEER_ID);
    emit('devices-changed');
    expect(await screen.findByRole('heading', { name: 'Renamed elsewhere' })).toBeInTheDocument();
    expect(b.gets()).toBe(2);
  });

  it('reloads the list and this device\'s code when the node stops, not for new figures', async () => {
    let running = true;
    const b = backend(() => jsonResponse(listJSON(running ? {} : { nodeRunning: false, live: false })));
    b.state.code = () => (running ? jsonResponse(SHARE_CODE_JSON) : jsonResponse({ error: 'Node not running' }, 503));
    renderPage();
    await screen.findByRole('img', { name: "QR code of this device's SPR" });
    const codeGets = () => b.calls.filter((c) => c.url === '/api/devices/code').length;
    expect([b.gets(), codeGets()]).toEqual([1, 1]);

    emit('node-state', { state: 'running', peerCount: 3 }); // figures only
    emit('node-state', { state: 'running', peerCount: 4 });
    running = false;
    emit('node-state', { state: 'stopped' });
    expect(await screen.findByText(/The node is not running, so this device has no code to share/)).toBeInTheDocument();
    await screen.findByText(/The node is not running — start it from the/);
    expect([b.gets(), codeGets()]).toEqual([2, 2]);
  });

  it('lists other connected peers, each with Pair filling in Add Device', async () => {
    backend(() =>
      jsonResponse(
        listJSON({
          otherPeers: [
            { ...deviceJSON({ peerId: NEIGHBOUR_ID, latencyMs: 40, direction: 'inbound', agentVersion: 'nim-libp2p' }) },
          ],
        }),
      ),
    );
    renderPage();
    expect(await screen.findByText('Other connected peers (1)')).toBeInTheDocument();
    const row = screen.getByTitle(NEIGHBOUR_ID).closest('tr') as HTMLElement;
    expect(within(row).getByText('40 ms')).toBeInTheDocument();
    expect(within(row).getByText('nim-libp2p')).toBeInTheDocument();
    expect(within(row).getByRole('link', { name: 'Pair 16Uiu2HA…bvLAdS' })).toHaveAttribute(
      'href',
      `/devices/add?code=${NEIGHBOUR_ID}`,
    );
  });

  it('shows the device code first, with Copy, and this device\'s ID', async () => {
    backend();
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    try {
      renderPage();
      const mine = screen.getByRole('region', { name: 'This device' });
      expect(await within(mine).findByText(THIS_DEVICE_CODE)).toHaveClass('share-code', 'device-code');
      expect(
        within(mine).getByText(
          'Paste this code on your other device (Devices → Add Device). It pairs the two devices for backups.',
        ),
      ).toBeInTheDocument();
      expect(within(mine).getByText(THIS_DEVICE_ID)).toHaveClass('device-id');

      fireEvent.click(within(mine).getByRole('button', { name: 'Copy device code' }));
      expect(writeText).toHaveBeenCalledWith(THIS_DEVICE_CODE);
      expect(await within(mine).findByRole('button', { name: '✓ Copied device code' })).toBeInTheDocument();

      // What a bare archivist-node takes comes after it, folded away.
      const details = within(mine).getByText(/^For pairing with a bare archivist-node/).closest('details');
      expect(details).not.toBeNull();
      expect(details).not.toHaveAttribute('open');
      expect(details).toContainElement(within(mine).getByRole('button', { name: 'Copy SPR' }));
      expect(details).toContainElement(within(mine).getByRole('img', { name: "QR code of this device's SPR" }));
      const order = within(mine).getByText(THIS_DEVICE_CODE).compareDocumentPosition(details as HTMLElement);
      expect(order & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    } finally {
      Reflect.deleteProperty(navigator, 'clipboard');
    }
  });

  it("opens the node's codes when the link has no device code", async () => {
    const b = backend();
    b.state.code = () => jsonResponse({ ...SHARE_CODE_JSON, code: '', deviceId: THIS_DEVICE_ID });
    renderPage();
    const mine = screen.getByRole('region', { name: 'This device' });
    expect(await within(mine).findByText(/^No device code: the app link could not make one/)).toBeInTheDocument();
    expect(within(mine).queryByRole('button', { name: 'Copy device code' })).not.toBeInTheDocument();
    expect(within(mine).getByText(/^For pairing with a bare archivist-node/).closest('details')).toHaveAttribute('open');
    expect(within(mine).getByRole('button', { name: 'Copy connect address' })).toBeInTheDocument();
  });

  it("shows this device's code for archivist-node: QR, connect address, peer ID and SPR with Copy", async () => {
    backend();
    renderPage();
    const mine = await screen.findByRole('region', { name: 'This device' });
    const qr = await within(mine).findByRole('img', { name: "QR code of this device's SPR" });
    expect(qr).toHaveAttribute('src', `data:image/png;base64,${SHARE_CODE_JSON.qrPng}`);
    expect(within(mine).getByText(SHARE_CODE_JSON.multiaddr)).toBeInTheDocument();
    expect(within(mine).getByText(ED25519_PEER_ID)).toBeInTheDocument();
    expect(within(mine).getByRole('button', { name: 'Copy connect address' })).toBeInTheDocument();
    expect(within(mine).getByRole('button', { name: 'Copy peer ID' })).toBeInTheDocument();
    expect(within(mine).getByRole('button', { name: 'Copy SPR' })).toBeInTheDocument();
    expect(within(mine).getByText('Online')).toHaveClass('device-badge', 'online');
  });

  it('says so when the node is not running instead of a code', async () => {
    const b = backend(() => jsonResponse(listJSON({ nodeRunning: false, live: false })));
    b.state.code = () => jsonResponse({ error: 'Node not running' }, 503);
    renderPage();
    const mine = screen.getByRole('region', { name: 'This device' });
    expect(await within(mine).findByText(/The node is not running, so this device has no code to share/)).toBeInTheDocument();
    expect(within(mine).queryByRole('img')).not.toBeInTheDocument();
  });

  it('renders peer-chosen names as text, never markup', async () => {
    backend(() => jsonResponse(listJSON({ devices: [{ ...LAPTOP, nickname: '<b>x</b>', agentVersion: '<img src=x onerror=alert(1)>' }] })));
    const { container } = renderPage();
    expect(await screen.findByRole('heading', { name: '<b>x</b>' })).toBeInTheDocument();
    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeInTheDocument();
    expect(container.querySelector('b')).toBeNull();
    expect(container.querySelector('img[src="x"]')).toBeNull();
  });

  describe('the app link', () => {
    /** Answers GET /api/link with these peers (read each time, so a test can change them). */
    function linkWith(b: ReturnType<typeof backend>, peers: () => unknown[], over: Record<string, unknown> = {}) {
      b.state.link = () => jsonResponse(linkStatusJSON({ peers: peers(), ...over }));
    }

    it('lists pairing requests: who, its ID, where from, backup server, when', async () => {
      const b = backend(() => jsonResponse(listJSON({ devices: [DESKTOP] })));
      linkWith(b, () => [
        linkPeerJSON(),
        linkPeerJSON({
          device: OLD_DEVICE_ID,
          name: '',
          backupServer: false,
          remoteAddr: undefined,
          requestedAt: '0001-01-01T00:00:00Z',
        }),
      ]);
      renderPage();
      const requests = await screen.findByRole('region', { name: 'Pairing requests (2)' });
      expect(within(requests).getByText(/ask to pair with it for backups/)).toBeInTheDocument();

      const nas = within(requests).getByRole('article', { name: 'Office NAS' });
      expect(within(nas).getByText('Wants to pair')).toHaveClass('device-badge', 'requested');
      expect(within(nas).getByText('H3KQ-7TZC')).toHaveAttribute('title', NAS_DEVICE_ID);
      expect(within(nas).getByRole('button', { name: 'Copy device ID of Office NAS' })).toBeInTheDocument();
      expect(within(nas).getByText('192.168.1.20:51234')).toBeInTheDocument();
      expect(within(nas).getByText('Backup server').nextElementSibling).toHaveTextContent('yes');
      expect(within(nas).getByText('3 min ago')).toBeInTheDocument();
      expect(within(nas).getByText(/approving makes it where this device backs up to/)).toBeInTheDocument();
      expect(within(nas).getByRole('button', { name: 'Approve Office NAS' })).toBeEnabled();
      expect(within(nas).getByRole('button', { name: 'Decline Office NAS' })).toBeEnabled();

      // No name: its short device ID; no address or time: unknown.
      const unnamed = within(requests).getByRole('article', { name: 'Q2LK-NNWG' });
      expect(within(unnamed).getByText('Backup server').nextElementSibling).toHaveTextContent('no');
      expect(within(unnamed).getAllByText('unknown')).toHaveLength(2);
      expect(within(unnamed).queryByText(/approving makes it/)).not.toBeInTheDocument();
    });

    it('cannot approve while the node is not running (approving pairs the nodes)', async () => {
      const b = backend(() => jsonResponse(listJSON({ nodeRunning: false, live: false, devices: [] })));
      linkWith(b, () => [linkPeerJSON()]);
      renderPage();
      await screen.findByRole('region', { name: 'Pairing requests (1)' });
      await waitFor(() => expect(screen.getByRole('button', { name: 'Approve Office NAS' })).toBeDisabled());
      expect(screen.getByRole('button', { name: 'Approve Office NAS' })).toHaveAttribute('title', 'The node is not running');
      expect(screen.getByRole('button', { name: 'Decline Office NAS' })).toBeEnabled();
    });

    it('approves: POSTs, then reads the link and the devices again', async () => {
      let approved = false;
      const b = backend(
        () => jsonResponse(listJSON({ devices: approved ? [DESKTOP, deviceJSON({ nickname: 'Office NAS' })] : [DESKTOP] })),
        (call) => {
          if (call.method === 'POST' && call.url === `/api/link/${NAS_DEVICE_ID}/approve`) {
            approved = true;
            return jsonResponse(linkPeerJSON({ state: 'paired', pairedAt: new Date().toISOString() }));
          }
          return jsonResponse({ error: 'unexpected' }, 500);
        },
      );
      linkWith(b, () => [linkPeerJSON(approved ? { state: 'paired', pairedAt: new Date().toISOString() } : {})]);
      renderPage();
      await screen.findByRole('region', { name: 'Pairing requests (1)' });
      await screen.findByRole('heading', { name: 'Desktop' });
      expect([b.gets(), b.linkGets()]).toEqual([1, 1]);

      fireEvent.click(screen.getByRole('button', { name: 'Approve Office NAS' }));
      expect(screen.getByRole('button', { name: 'Approving… Office NAS' })).toBeDisabled();
      expect(screen.getByRole('button', { name: 'Decline Office NAS' })).toBeDisabled();
      expect(await screen.findByText('Approved Office NAS: the two devices are paired.')).toHaveAttribute('role', 'status');
      expect(b.sent()).toEqual([{ url: `/api/link/${NAS_DEVICE_ID}/approve`, method: 'POST', body: undefined }]);

      await waitFor(() => expect(screen.queryByRole('region', { name: /Pairing requests/ })).not.toBeInTheDocument());
      // The approved device's node is paired now, and its card says the apps are too.
      await screen.findByRole('heading', { name: 'Office NAS' });
      expect(within(card('Office NAS')).getByText('Backup link')).toBeInTheDocument();
      expect(within(card('Office NAS')).getByText(/^paired · backup server/)).toBeInTheDocument();
      expect([b.gets(), b.linkGets()]).toEqual([2, 2]);
    });

    it('asks before declining, and DELETEs only after confirming', async () => {
      let declined = false;
      const b = backend(undefined, (call) => {
        if (call.method === 'DELETE' && call.url === `/api/link/${NAS_DEVICE_ID}`) {
          declined = true;
          return new Response(null, { status: 204 });
        }
        return jsonResponse({ error: 'unexpected' }, 500);
      });
      linkWith(b, () => (declined ? [] : [linkPeerJSON()]));
      renderPage();
      const requests = await screen.findByRole('region', { name: 'Pairing requests (1)' });

      fireEvent.click(within(requests).getByRole('button', { name: 'Decline Office NAS' }));
      const dialog = screen.getByRole('alertdialog');
      expect(dialog).toHaveTextContent(
        "Decline the pairing request from Office NAS? It is forgotten here; Office NAS can ask again by pasting this device's code.",
      );
      fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
      expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
      expect(b.sent()).toEqual([]);

      fireEvent.click(within(requests).getByRole('button', { name: 'Decline Office NAS' }));
      fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Decline' }));
      expect(await screen.findByText('Declined the pairing request from Office NAS.')).toBeInTheDocument();
      expect(b.sent()).toEqual([{ url: `/api/link/${NAS_DEVICE_ID}`, method: 'DELETE', body: undefined }]);
      await waitFor(() => expect(screen.queryByRole('region', { name: /Pairing requests/ })).not.toBeInTheDocument());
      expect(b.linkGets()).toBe(2);
    });

    it('shows why approving or declining failed, on the request', async () => {
      const b = backend(undefined, (call) =>
        call.method === 'POST'
          ? jsonResponse({ error: "connecting to the device's node: it did not answer" }, 502)
          : jsonResponse({ error: 'link: the database is closed' }, 500),
      );
      linkWith(b, () => [linkPeerJSON()]);
      renderPage();
      await screen.findByRole('region', { name: 'Pairing requests (1)' });
      const nas = () => screen.getByRole('article', { name: 'Office NAS' });

      fireEvent.click(screen.getByRole('button', { name: 'Approve Office NAS' }));
      expect(await within(nas()).findByRole('alert')).toHaveTextContent(
        "Could not approve Office NAS: connecting to the device's node: it did not answer",
      );
      expect(within(nas()).getByRole('button', { name: 'Approve Office NAS' })).toBeEnabled();

      fireEvent.click(within(nas()).getByRole('button', { name: 'Decline Office NAS' }));
      fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Decline' }));
      await waitFor(() =>
        expect(within(nas()).getByRole('alert')).toHaveTextContent('Could not decline Office NAS: link: the database is closed'),
      );
      expect(b.sent().map((c) => `${c.method} ${c.url}`)).toEqual([
        `POST /api/link/${NAS_DEVICE_ID}/approve`,
        `DELETE /api/link/${NAS_DEVICE_ID}`,
      ]);
      expect(screen.queryByText(/^Approved|^Declined/)).not.toBeInTheDocument();
    });

    it('reloads on pairing-request and link-changed, once for a burst, without reading the devices', async () => {
      let peers: unknown[] = [];
      const b = backend();
      linkWith(b, () => peers);
      renderPage();
      await screen.findByRole('heading', { name: 'Laptop' });
      await waitFor(() => expect(b.linkGets()).toBe(1));

      peers = [linkPeerJSON()];
      emit('pairing-request', { device: NAS_DEVICE_ID, name: 'Office NAS' });
      emit('link-changed');
      expect(await screen.findByRole('region', { name: 'Pairing requests (1)' })).toBeInTheDocument();
      expect(b.linkGets()).toBe(2);

      peers = [];
      emit('link-changed');
      await waitFor(() => expect(screen.queryByRole('region', { name: /Pairing requests/ })).not.toBeInTheDocument());
      expect(b.linkGets()).toBe(3);
      expect(b.gets()).toBe(1);
    });

    it('shows the backup link on paired devices, and linked apps without a device, with Forget', async () => {
      let forgotten = false;
      const b = backend(undefined, (call) => {
        if (call.method === 'DELETE' && call.url === `/api/link/${OLD_DEVICE_ID}`) {
          forgotten = true;
          return new Response(null, { status: 204 });
        }
        return jsonResponse({ error: 'unexpected' }, 500);
      });
      linkWith(b, () => [
        // The Laptop's node: shown on its card.
        linkPeerJSON({ name: 'Laptop', state: 'paired', pairedAt: '2025-05-01T10:00:00Z' }),
        ...(forgotten
          ? []
          : [
              linkPeerJSON({
                device: OLD_DEVICE_ID,
                name: 'Old desktop',
                nodePeerId: NEIGHBOUR_ID,
                backupServer: false,
                state: 'paired',
                pairedAt: new Date(Date.now() - 2.5 * 3600_000).toISOString(),
              }),
            ]),
      ]);
      renderPage();
      await screen.findByRole('heading', { name: 'Laptop' });
      const laptop = card('Laptop');
      expect(await within(laptop).findByText('Backup link')).toBeInTheDocument();
      expect(within(laptop).getByText(/^paired · backup server/)).toHaveClass('link-state', 'link-paired');
      expect(within(laptop).getByText('H3KQ-7TZC')).toHaveAttribute('title', NAS_DEVICE_ID);
      expect(within(card('Desktop')).queryByText('Backup link')).not.toBeInTheDocument();

      const linked = screen.getByRole('region', { name: 'Linked apps (1)' });
      expect(within(linked).getByText('Old desktop', { selector: '.linked-app-name' })).toBeInTheDocument();
      expect(within(linked).getByText('Q2LK-NNWG')).toHaveAttribute('title', OLD_DEVICE_ID);
      expect(within(linked).getByText('2 h ago')).toBeInTheDocument();
      expect(within(linked).queryByText('Laptop')).not.toBeInTheDocument(); // not listed twice

      fireEvent.click(within(linked).getByRole('button', { name: 'Forget Old desktop' }));
      const dialog = screen.getByRole('alertdialog');
      expect(dialog).toHaveTextContent('Forget the backup link with Old desktop?');
      fireEvent.click(within(dialog).getByRole('button', { name: 'Forget' }));
      expect(await screen.findByText('Forgot the backup link with Old desktop.')).toBeInTheDocument();
      expect(b.sent()).toEqual([{ url: `/api/link/${OLD_DEVICE_ID}`, method: 'DELETE', body: undefined }]);
      await waitFor(() => expect(screen.queryByRole('region', { name: /Linked apps/ })).not.toBeInTheDocument());
      expect(within(card('Laptop')).getByText('Backup link')).toBeInTheDocument();
    });

    it('marks a device whose app asks to pair', async () => {
      const b = backend();
      linkWith(b, () => [linkPeerJSON()]);
      renderPage();
      await screen.findByRole('region', { name: 'Pairing requests (1)' });
      expect(within(card('Laptop')).getByText(/^asks to pair \(see Pairing requests\)/)).toHaveClass('link-requested');
    });

    it('warns when a link server is not running', async () => {
      const b = backend();
      linkWith(b, () => [], { errors: ['link: listening on port 8071: address already in use'], listen: [] });
      renderPage();
      const banner = await screen.findByRole('alert');
      expect(banner).toHaveClass('link-errors-banner');
      expect(banner).toHaveTextContent(
        'The app link is not fully running, so other devices may not reach this one for pairing and backups:',
      );
      expect(within(banner).getByRole('listitem')).toHaveTextContent('link: listening on port 8071: address already in use');
    });

    it('says so when the link cannot be read, and Retry reads it again', async () => {
      const b = backend();
      b.state.link = () => jsonResponse({ error: 'link: the database is closed' }, 500);
      renderPage();
      const banner = await screen.findByRole('alert');
      expect(banner).toHaveTextContent('Could not read pairing requests: link: the database is closed');
      // The rest of the page works.
      expect(await screen.findByRole('heading', { name: 'Laptop' })).toBeInTheDocument();

      linkWith(b, () => [linkPeerJSON()]);
      fireEvent.click(within(banner).getByRole('button', { name: 'Retry' }));
      expect(await screen.findByRole('region', { name: 'Pairing requests (1)' })).toBeInTheDocument();
      expect(screen.queryByText(/Could not read pairing requests/)).not.toBeInTheDocument();
      expect(b.linkGets()).toBe(2);
    });

    it('renders peer-chosen names and addresses as text, never markup', async () => {
      const b = backend(() => jsonResponse(listJSON({ devices: [DESKTOP] })));
      linkWith(b, () => [linkPeerJSON({ name: '<b>x</b>', remoteAddr: '<img src=x onerror=alert(1)>' })]);
      const { container } = renderPage();
      expect(await screen.findByRole('heading', { name: '<b>x</b>' })).toBeInTheDocument();
      expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeInTheDocument();
      expect(container.querySelector('b')).toBeNull();
      expect(container.querySelector('img[src="x"]')).toBeNull();
    });
  });
});
