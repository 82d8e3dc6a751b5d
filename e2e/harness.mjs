// Test harness shared by the browser tests: starts a real `archivist serve`
// in a fresh home directory and a real Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const artifacts = new URL('./artifacts/', import.meta.url).pathname;

const bin = process.env.ARCHIVIST_BIN;
if (!bin) throw new Error('ARCHIVIST_BIN must name the archivist binary (make test-e2e sets it)');

// startServe runs `archivist serve` on a free port and resolves with the
// login URL it prints, the way a user would copy it.
export async function startServe() {
  const home = await mkdtemp(join(tmpdir(), 'archivist-e2e-'));
  // Each instance gets its own node ports, as several run side by side.

  const [api, disc, listen] = [await freePort(), await freePort(), await freePort()];
  await writeFile(join(home, 'config.toml'),
    `[node]\napi_port = ${api}\ndiscovery_port = ${disc}\nlisten_port = ${listen}\nlog_level = "INFO"\n`, { mode: 0o600 });
  const proc = spawn(bin, ['serve', '--home', home, '--gui-address', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The node inherits these: tests send nothing beyond loopback (no UPnP,
    // no mDNS multicast on the machine's real network).
    env: { ...process.env, ARCHIVIST_NAT: 'none', ARCHIVIST_MDNS: 'false' },
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed within 15 s; stderr:\n${err}`)), 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`archivist serve exited ${code}:\n${err}`)); });
  });
  return {
    url,
    home,
    stderr: () => err,
    async stop() {
      const exited = new Promise((r) => proc.once('exit', (code, sig) => r({ code, sig })));
      proc.kill('SIGTERM');
      const res = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 10000))]);
      if (res === null) proc.kill('SIGKILL');
      await rm(home, { recursive: true, force: true });
      return res;
    },
  };
}

// launchBrowser starts Debian's Chromium with the flags this sandboxed,
// offline machine needs (no sandbox as root, no background networking).
export async function launchBrowser() {
  await mkdir(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
