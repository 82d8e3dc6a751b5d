import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
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

// Other peers in these tests; the page shows IDs as text and does not check them.
const DESKTOP_ID = '16Uiu2HAmQ1vDxHRCyJszUg8dv2LCY9fXRPLYgFrWhu3nC2uG1n8Q';
const NEIGHBOUR_ID = '16Uiu2HAkz8aXH4Dy6WUgQeFmaXkBMtEwVbN1RZJyo3pZHNbvLAdS';

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

type Call = { url: string; method: string; body?: unknown };

/**
 * A fake backend: GET /api/devices from list() (changeable between calls),
 * GET /api/devices/code from code(), everything else from send().
 */
function backend(
  list: () => Response = () => jsonResponse(listJSON()),
  send: (call: Call) => Response | Promise<Response> = () => jsonResponse({ error: 'unexpected' }, 500),
) {
  const calls: Call[] = [];
  const state = { list, send, code: () => jsonResponse(SHARE_CODE_JSON) };
  stubFetch((url, init) => {
    const method = init?.method ?? 'GET';
    const call: Call = { url, method, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    if (method === 'GET' && url === '/api/devices') return Promise.resolve(state.list());
    if (method === 'GET' && url === '/api/devices/code') return Promise.resolve(state.code());
    return Promise.resolve(state.send(call));
  });
  return {
    calls,
    state,
    gets: () => calls.filter((c) => c.method === 'GET' && c.url === '/api/devices').length,
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

  it("shows this device's code: QR, connect address, peer ID and SPR with Copy", async () => {
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
});
