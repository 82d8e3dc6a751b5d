// Test harness shared by the browser tests: starts a real `archivist serve`
// in a fresh home directory and a real Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, mkdir, writeFile, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const artifacts = new URL('./artifacts/', import.meta.url).pathname;

const bin = process.env.ARCHIVIST_BIN;
if (!bin) throw new Error('ARCHIVIST_BIN must name the archivist binary (make test-e2e sets it)');

/** The header the backend wants on every state-changing request a session cookie authenticates. */
export const CSRF_HEADER = 'X-Archivist-CSRF';

/**
 * startServe runs `archivist serve` on a free port and resolves with the
 * login URL it prints, the way a user would copy it. Every port the
 * instance listens on is a free one, so several run side by side, and its
 * link servers listen on loopback only. opts.config adds settings to
 * config.toml as { table: { key: value } } (numbers, booleans, strings),
 * opts.args extra arguments, opts.env extra environment.
 */
export async function startServe({ args = [], env = {}, config = {} } = {}) {
  const home = await mkdtemp(join(tmpdir(), 'archivist-e2e-'));
  const [api, disc, listen, manifest, trigger] = await freePorts(5);
  const tables = {
    node: { api_port: api, discovery_port: disc, listen_port: listen, log_level: 'INFO' },
    manifest_server: { port: manifest },
    backup_server: { trigger_port: trigger },
  };
  for (const [table, keys] of Object.entries(config)) tables[table] = { ...tables[table], ...keys };
  const toml = Object.entries(tables).map(([table, keys]) =>
    `[${table}]\n${Object.entries(keys).map(([k, v]) => `${k} = ${JSON.stringify(v)}\n`).join('')}`).join('\n');
  await writeFile(join(home, 'config.toml'), toml, { mode: 0o600 });
  const proc = spawn(bin, ['serve', '--home', home, '--gui-address', '127.0.0.1:0', '--link-address', '127.0.0.1', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The node inherits these: tests send nothing beyond loopback (no UPnP,
    // no mDNS multicast on the machine's real network).
    env: { ...process.env, ARCHIVIST_NAT: 'none', ARCHIVIST_MDNS: 'false', ...env },
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
    configPath: join(home, 'config.toml'),
    stderr: () => err,
    async stop() {
      const exited = new Promise((r) => proc.once('exit', (code, sig) => r({ code, sig })));
      proc.kill('SIGTERM');
      let timer;
      const res = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r(null), 10000); })]);
      // A pending timer would keep the test process alive for its full 10 s.
      clearTimeout(timer);
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

/**
 * openApp signs the page in through the printed login URL and gets past the
 * first-run onboarding, which replaces the app until it is completed: it is
 * marked complete server-side with the page's own session cookie (a 404
 * means this build has no onboarding endpoint, so there is nothing to skip),
 * then the page is loaded again to show the app.
 */
export async function openApp(page, url) {
  const resp = await page.goto(url);
  if (!resp.ok()) throw new Error(`opening ${url} answered ${resp.status()}`);
  const origin = new URL(url).origin;
  const done = await page.request.put(`${origin}/api/onboarding`, {
    headers: { [CSRF_HEADER]: '1' },
    data: { complete: true },
  });
  if (!done.ok() && done.status() !== 404) {
    throw new Error(`PUT /api/onboarding answered ${done.status()}: ${await done.text()}`);
  }
  await page.reload();
  return page;
}

/** waitNodeRunning waits for the app's status line to say the node runs. */
export async function waitNodeRunning(page, timeout = 30000) {
  await page.waitForFunction(() => document.querySelector('[data-testid="node-state"]')?.textContent.includes('Running'), null, { timeout });
}

/** nav clicks an entry of the main navigation, opening the Advanced group when the entry is in it. */
export async function nav(page, name) {
  const menu = page.getByRole('navigation', { name: 'Main' });
  const link = menu.getByRole('link', { name, exact: true });
  if (!(await link.isVisible())) await menu.getByRole('button', { name: /Advanced/ }).click();
  await link.click();
}

/**
 * shoot saves a screenshot of the whole page as artifacts/<name>.png. The
 * app scrolls inside its main area (the sidebar stays put), so a full-page
 * screenshot alone would cut it at the window: the window is made as tall
 * as the content for the shot.
 */
export async function shoot(page, name) {
  const size = page.viewportSize();
  const height = await page.evaluate(() => {
    const main = document.querySelector('.main-content');
    return main ? main.scrollHeight - main.clientHeight + window.innerHeight : document.documentElement.scrollHeight;
  });
  if (height > size.height) await page.setViewportSize({ width: size.width, height: Math.min(height, 8000) });
  await page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });
  await page.setViewportSize(size);
}

/** sha256 of some bytes, hex: compares files without printing them. */
export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** saveDownload runs trigger (a click), saves the download it starts into dir and returns its bytes. */
export async function saveDownload(page, trigger, dir, timeout = 30000) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout }), trigger()]);
  const failure = await download.failure();
  if (failure) throw new Error(`download of ${download.url()} failed: ${failure}`);
  const path = join(dir, `download-${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(path);
  return readFile(path);
}

/**
 * waitText waits until the locator's text (trimmed) is exactly text, and
 * fails naming what it showed instead.
 */
export async function waitText(locator, text, timeout = 5000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = (await locator.textContent({ timeout })).trim();
    if (last === text) return;
    if (Date.now() > deadline) throw new Error(`expected the text ${JSON.stringify(text)}, the page shows ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * readConfig parses config.toml as the app writes it (go-toml v2: tables,
 * arrays of tables, and key = value with strings, numbers, booleans and
 * one-line arrays of them). Enough to check what a save put in the file
 * without a TOML dependency; anything else it meets is an error, not a guess.
 */
export async function readConfig(path) {
  const root = {};
  let table = root;
  const text = await readFile(path, 'utf8');
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let m;
    if ((m = line.match(/^\[\[([\w.]+)\]\]$/))) {
      const keys = m[1].split('.');
      const parent = keys.slice(0, -1).reduce((t, k) => (t[k] ??= {}), root);
      table = {};
      (parent[keys.at(-1)] ??= []).push(table);
    } else if ((m = line.match(/^\[([\w.]+)\]$/))) {
      table = m[1].split('.').reduce((t, k) => (t[k] ??= {}), root);
    } else if ((m = line.match(/^(\w+)\s*=\s*(.+)$/))) {
      table[m[1]] = tomlValue(m[2].trim(), `${path}:${i + 1}`);
    } else {
      throw new Error(`${path}:${i + 1}: not understood: ${line}`);
    }
  }
  return root;
}

function tomlValue(v, where) {
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v)) return Number(v);
  if (/^'[^']*'$/.test(v)) return v.slice(1, -1);
  if (/^"([^"\\]|\\.)*"$/.test(v)) return JSON.parse(v);
  if (v.startsWith('[') && v.endsWith(']')) {
    const items = v.slice(1, -1).match(/'[^']*'|"(?:[^"\\]|\\.)*"|[^,\s][^,]*/g) ?? [];
    return items.map((x) => tomlValue(x.trim(), where));
  }
  throw new Error(`${where}: value not understood: ${v}`);
}

async function freePorts(n) {
  // Held open together so no two of them are the same port.
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  })));
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
