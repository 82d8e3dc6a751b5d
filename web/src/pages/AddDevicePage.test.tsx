import { fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROUTER_FUTURE } from '../App';
import {
  deferred,
  DEVICE_PEER_ID,
  DEVICE_SPR,
  deviceJSON,
  ED25519_PEER_ID,
  installFakeEventSource,
  jsonResponse,
  SHARE_CODE_JSON,
  stubFetch,
} from '../test/fakes';
import { AddDevicePage } from './AddDevicePage';
import { deviceCode, linkPeerJSON } from './devices/linkFakes';

type Call = { url: string; method: string; body?: unknown };

/** GET /api/devices/code answers this device's code; POST /api/devices from add(). */
function backend(add: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  stubFetch((url, init) => {
    const method = init?.method ?? 'GET';
    const call: Call = { url, method, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    if (method === 'GET' && url === '/api/devices/code') return Promise.resolve(jsonResponse(SHARE_CODE_JSON));
    if (method === 'POST' && url === '/api/devices') return Promise.resolve(add(call));
    return Promise.resolve(jsonResponse({ error: 'unexpected' }, 500));
  });
  return { calls, posts: () => calls.filter((c) => c.method === 'POST') };
}

function renderPage(path = '/devices/add') {
  return render(
    <MemoryRouter initialEntries={[path]} future={ROUTER_FUTURE}>
      <AddDevicePage />
    </MemoryRouter>,
  );
}

const codeBox = () => screen.getByRole('textbox', { name: 'Device code' });
const connectButton = () => screen.getByRole('button', { name: 'Connect' });

describe('AddDevicePage', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  it('classifies the code as it is typed and enables Connect only for a plausible one', () => {
    backend(() => jsonResponse({}, 500));
    renderPage();
    expect(screen.getByRole('heading', { level: 2, name: 'Add Device' })).toBeInTheDocument();
    expect(codeBox()).toHaveAttribute('id', 'peer-address');
    expect(codeBox()).toHaveFocus();
    expect(connectButton()).toBeDisabled();
    expect(screen.getByText(/Get it from the other device/)).toBeInTheDocument();

    fireEvent.change(codeBox(), { target: { value: 'not-a-valid-multiaddr-or-spr' } });
    expect(screen.getByText(/^Not recognised: expected a device code \(archivist1:…\)/)).toBeInTheDocument();
    expect(codeBox()).toHaveAttribute('aria-invalid', 'true');
    expect(connectButton()).toBeDisabled();

    fireEvent.change(codeBox(), { target: { value: '/ip4/192.168.1.20/tcp/8070' } });
    expect(screen.getByText(/has no \/p2p\/<peer ID>/)).toBeInTheDocument();
    expect(connectButton()).toBeDisabled();

    fireEvent.change(codeBox(), { target: { value: `/ip4/192.168.1.20/tcp/8070/p2p/${DEVICE_PEER_ID}` } });
    expect(screen.getByText('✓ Multiaddr of device 16Uiu2HA…zCjpiY.')).toBeInTheDocument();
    expect(connectButton()).toBeEnabled();

    fireEvent.change(codeBox(), { target: { value: DEVICE_SPR } });
    expect(screen.getByText('✓ Signed peer record (SPR) of device 16Uiu2HA…zCjpiY.')).toBeInTheDocument();
    expect(connectButton()).toBeEnabled();

    // A nickname over the limit blocks too.
    fireEvent.change(screen.getByRole('textbox', { name: 'Name (optional)' }), { target: { value: 'n'.repeat(65) } });
    expect(screen.getByText('At most 64 characters (this one has 65).')).toBeInTheDocument();
    expect(connectButton()).toBeDisabled();
  });

  it('goes input → connecting → success with the device the backend answered', async () => {
    const answer = deferred<Response>();
    const b = backend(() => answer.promise);
    renderPage();
    fireEvent.change(codeBox(), { target: { value: `  ${DEVICE_SPR}\n` } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Name (optional)' }), { target: { value: 'Laptop' } });
    fireEvent.click(connectButton());

    // Connecting for as long as the request is pending.
    expect(screen.getByRole('heading', { name: 'Connecting to 16Uiu2HA…zCjpiY…' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: /Connecting/ }).closest('[role="status"]')).toHaveClass('wizard-connecting');
    expect(screen.queryByRole('textbox', { name: 'Device code' })).not.toBeInTheDocument();
    expect(b.posts()).toEqual([{ url: '/api/devices', method: 'POST', body: { code: DEVICE_SPR, nickname: 'Laptop' } }]);

    answer.resolve(jsonResponse(deviceJSON({ nickname: 'Laptop', latencyMs: 8.6 })));
    expect(await screen.findByRole('heading', { name: 'Device Connected!' })).toBeInTheDocument();
    const wizard = screen.getByRole('region', { name: 'Add a device' });
    expect(within(wizard).getByText('Laptop')).toBeInTheDocument();
    expect(within(wizard).getByText('Online')).toHaveClass('device-badge', 'online');
    expect(within(wizard).getByText('9 ms')).toBeInTheDocument();
    expect(within(wizard).getByText('16Uiu2HA…zCjpiY')).toHaveAttribute('title', DEVICE_PEER_ID);
    expect(screen.getByRole('link', { name: 'Go to My Devices' })).toHaveAttribute('href', '/devices');
    // An SPR pairs the nodes only: nothing to approve on the other side.
    expect(within(wizard).queryByText(/Approve this device|Paired on this side/)).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Add another' }));
    expect(codeBox()).toHaveValue('');
    expect(connectButton()).toBeDisabled();
  });

  it('says Unknown, not Offline, when the node connected but cannot report connections', async () => {
    backend(() => jsonResponse(deviceJSON({ connected: false, latencyMs: null })));
    renderPage();
    fireEvent.change(codeBox(), { target: { value: DEVICE_PEER_ID } });
    fireEvent.click(connectButton());
    await screen.findByRole('heading', { name: 'Device Connected!' });
    const wizard = screen.getByRole('region', { name: 'Add a device' });
    expect(within(wizard).getByText('Unknown')).toBeInTheDocument();
    expect(within(wizard).queryByText('Offline')).not.toBeInTheDocument();
  });

  it("shows a 502's message, and Try again goes back with the code kept", async () => {
    const message =
      'could not connect to device 16Uiu2HA…zCjpiY at /ip4/192.168.1.20/tcp/8070: it did not answer (the node says "Unable to dial"). Check that the other device is running';
    backend(() => jsonResponse({ error: message }, 502));
    renderPage();
    const code = `/ip4/192.168.1.20/tcp/8070/p2p/${DEVICE_PEER_ID}`;
    fireEvent.change(codeBox(), { target: { value: code } });
    fireEvent.click(connectButton());

    expect(await screen.findByRole('heading', { name: 'Connection Failed' })).toBeInTheDocument();
    const error = screen.getByRole('alert');
    expect(error).toHaveClass('wizard-error');
    expect(error).toHaveTextContent(message);

    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(codeBox()).toHaveValue(code);
    expect(connectButton()).toBeEnabled();
  });

  it('names a refused code and a stopped node', async () => {
    let answer = jsonResponse(
      { error: 'that code belongs to this device (peer 16Uiu2HA…zCjpiY): paste the code shown on the other device' },
      400,
    );
    backend(() => answer);
    renderPage();
    fireEvent.change(codeBox(), { target: { value: DEVICE_PEER_ID } });
    fireEvent.click(connectButton());
    expect(await screen.findByRole('heading', { name: 'Code Not Accepted' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('that code belongs to this device');

    answer = jsonResponse({ error: 'Node not running' }, 503);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    fireEvent.click(connectButton());
    expect(await screen.findByRole('heading', { name: 'Node Not Running' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('href', '/');
  });

  it('fills the code in from ?code=', () => {
    backend(() => jsonResponse({}, 500));
    renderPage(`/devices/add?code=${encodeURIComponent(DEVICE_PEER_ID)}`);
    expect(codeBox()).toHaveValue(DEVICE_PEER_ID);
    expect(screen.getByText(/^✓ Peer ID of device 16Uiu2HA…zCjpiY/)).toBeInTheDocument();
    expect(connectButton()).toBeEnabled();
  });

  it("shows this device's own code to give to the other device", async () => {
    backend(() => jsonResponse({}, 500));
    renderPage();
    const mine = screen.getByRole('region', { name: 'This device' });
    expect(await within(mine).findByText(SHARE_CODE_JSON.multiaddr)).toBeInTheDocument();
    expect(within(mine).getByText(ED25519_PEER_ID)).toBeInTheDocument();
    expect(within(mine).getByRole('img', { name: "QR code of this device's SPR" })).toBeInTheDocument();
    expect(within(mine).getByRole('button', { name: 'Copy SPR' })).toBeInTheDocument();
  });

  it('renders a returned nickname as text, never markup', async () => {
    backend(() => jsonResponse(deviceJSON({ nickname: '<b>x</b>' })));
    const { container } = renderPage();
    fireEvent.change(codeBox(), { target: { value: DEVICE_PEER_ID } });
    fireEvent.click(connectButton());
    await screen.findByRole('heading', { name: 'Device Connected!' });
    expect(screen.getByText('<b>x</b>')).toBeInTheDocument();
    expect(container.querySelector('b')).toBeNull();
  });

  describe('device codes (archivist1:…)', () => {
    /** POST /api/devices' answer to a device code: the device, and what the link did. */
    function pairedJSON(pairing: Record<string, unknown>) {
      return { ...deviceJSON({ nickname: 'Office NAS' }), pairing: { peer: linkPeerJSON({ state: 'paired' }), ...pairing } };
    }

    it('accepts a device code and says whose it is', () => {
      backend(() => jsonResponse({}, 500));
      renderPage();
      expect(screen.getByText(/^Get it from the other device: Devices → This device \(copy the device code\)/)).toBeInTheDocument();
      expect(codeBox()).toHaveAttribute('placeholder', expect.stringContaining('archivist1:'));

      fireEvent.change(codeBox(), { target: { value: deviceCode() } });
      expect(
        screen.getByText('✓ Device code of Office NAS (device ID H3KQ-7TZC, a backup server): pairs the two devices for backups.'),
      ).toHaveClass('code-ok');
      expect(codeBox()).toHaveAttribute('aria-invalid', 'false');
      expect(connectButton()).toBeEnabled();

      fireEvent.change(codeBox(), { target: { value: deviceCode({ name: '', backupServer: false }) } });
      expect(screen.getByText(/^✓ Device code of a device \(device ID H3KQ-7TZC\)/)).toBeInTheDocument();
      expect(connectButton()).toBeEnabled();

      // Cut short: refused before it is sent.
      fireEvent.change(codeBox(), { target: { value: deviceCode().slice(0, 60) } });
      expect(screen.getByText(/^The device code is damaged/)).toHaveClass('field-error');
      expect(connectButton()).toBeDisabled();
    });

    it('pairs, and says to approve it on the other device when the request arrived', async () => {
      const answer = deferred<Response>();
      const b = backend(() => answer.promise);
      renderPage();
      const code = deviceCode();
      fireEvent.change(codeBox(), { target: { value: `${code}\n` } });
      fireEvent.click(connectButton());
      expect(screen.getByRole('heading', { name: 'Connecting to Office NAS…' })).toBeInTheDocument();
      expect(b.posts()).toEqual([{ url: '/api/devices', method: 'POST', body: { code, nickname: '' } }]);

      answer.resolve(jsonResponse(pairedJSON({ delivered: true })));
      expect(await screen.findByRole('heading', { name: 'Device Connected!' })).toBeInTheDocument();
      const wizard = screen.getByRole('region', { name: 'Add a device' });
      expect(within(wizard).getByRole('status')).toHaveTextContent(
        'Paired. Approve this device on Office NAS to finish (Devices → Pairing requests there).',
      );
      expect(within(wizard).queryByText(/could not be reached/)).not.toBeInTheDocument();
    });

    it("says what to do when the other device could not be reached", async () => {
      backend(() =>
        jsonResponse(
          pairedJSON({
            peer: linkPeerJSON({ state: 'paired', name: 'Backup box' }),
            delivered: false,
            requestError: 'dial tcp 192.168.1.20:8071: connect: connection refused',
          }),
        ),
      );
      renderPage();
      fireEvent.change(codeBox(), { target: { value: deviceCode() } });
      fireEvent.click(connectButton());
      await screen.findByRole('heading', { name: 'Device Connected!' });
      const wizard = screen.getByRole('region', { name: 'Add a device' });
      expect(within(wizard).getByRole('alert')).toHaveTextContent(
        "Paired on this side, but Backup box could not be reached: dial tcp 192.168.1.20:8071: connect: connection refused. Paste this device's code on Backup box to finish.",
      );
      expect(within(wizard).queryByText(/^Paired\. Approve/)).not.toBeInTheDocument();
    });

    it('names a device without a name by its short IDs', async () => {
      const answer = deferred<Response>();
      backend(() => answer.promise);
      renderPage();
      fireEvent.change(codeBox(), { target: { value: deviceCode({ name: '' }) } });
      fireEvent.click(connectButton());
      expect(screen.getByRole('heading', { name: 'Connecting to device H3KQ-7TZC…' })).toBeInTheDocument();

      const pairing = { peer: linkPeerJSON({ state: 'paired', name: '' }), delivered: false };
      answer.resolve(jsonResponse({ ...deviceJSON({ nickname: '' }), pairing }));
      await screen.findByRole('heading', { name: 'Device Connected!' });
      expect(screen.getByRole('alert')).toHaveTextContent(
        "Paired on this side, but 16Uiu2HA…zCjpiY could not be reached. Paste this device's code on 16Uiu2HA…zCjpiY to finish.",
      );
    });

    it("shows the backend's refusal of a device code", async () => {
      backend(() => jsonResponse({ error: 'that code belongs to this device: paste the code shown on the other device' }, 400));
      renderPage();
      fireEvent.change(codeBox(), { target: { value: deviceCode() } });
      fireEvent.click(connectButton());
      expect(await screen.findByRole('heading', { name: 'Code Not Accepted' })).toBeInTheDocument();
      expect(screen.getByRole('alert')).toHaveTextContent('that code belongs to this device');
    });
  });
});
