// Notification sounds against a real `archivist serve`: a real download
// plays the reference's download tone through Chromium's Web Audio, a
// settings change made outside the page (as the CLI or another tab would)
// silences the next one at once, and Settings → Test plays a custom WAV file
// that the backend serves from the path in config.toml.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, launchBrowser, artifacts, openApp } from './harness.mjs';

let serve;
let browser;

before(async () => {
  serve = await startServe();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

// Records every frequency an oscillator is set to, in the page, so the test
// sees what Web Audio was asked to play without needing a sound card.
function recordOscillators() {
  window.__freqs = [];
  const set = AudioParam.prototype.setValueAtTime;
  AudioParam.prototype.setValueAtTime = function (value, time) {
    if (this === this.__owner?.frequency) window.__freqs.push(value);
    return set.call(this, value, time);
  };
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    const osc = create.call(this);
    osc.frequency.__owner = osc;
    return osc;
  };
}

/** A short 16-bit mono WAV: a real file for the browser's decoder. */
function wav(seconds = 0.2, rate = 8000) {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVE', 8);
  b.write('fmt ', 12); b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 660 * i) / rate)), 44 + i * 2);
  return b;
}

const api = (page, method, path, body) =>
  page.evaluate(async ({ method, path, body }) => {
    const res = await fetch(path, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Archivist-CSRF': '1' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, { method, path, body });

test('a real download plays the download tone; settings changes apply live; Test plays a custom file', async () => {
  const page = await browser.newPage();
  await page.addInitScript(recordOscillators);
  await openApp(page, serve.url);
  await page.waitForFunction(() => document.querySelector('[data-testid="node-state"]')?.textContent.includes('Running'), null, { timeout: 30000 });
  // Browsers keep audio suspended until the user touches the page.
  await page.mouse.click(5, 5);

  const up = await api(page, 'POST', '/api/files?name=tune.txt', 'la la la');
  assert.equal(up.status, 200, JSON.stringify(up.body));
  const dest = await mkdtemp(join(tmpdir(), 'archivist-e2e-sounds-'));
  const down = await api(page, 'POST', '/api/files/download', { cid: up.body.cid, destination: dest });
  assert.equal(down.status, 200, JSON.stringify(down.body));
  await page.waitForFunction(() => window.__freqs.includes(880) && window.__freqs.includes(987.77), null, { timeout: 10000 });
  const played = await page.evaluate(() => window.__freqs.slice());
  assert.deepEqual(played.slice(played.indexOf(880), played.indexOf(880) + 2), [880, 987.77], 'A5 then B5');

  // Turned off outside the page: the next download is silent, with no reload and no polling wait.
  const view = await api(page, 'GET', '/api/config');
  const cfg = view.body.config;
  cfg.notifications.sound_on_download = false;
  assert.equal((await api(page, 'PUT', '/api/config', cfg)).status, 200);
  await page.waitForTimeout(300); // the config-changed event and the re-read
  await page.evaluate(() => { window.__freqs = []; });
  assert.equal((await api(page, 'POST', '/api/files/download', { cid: up.body.cid, destination: dest })).status, 200);
  await page.waitForTimeout(1000);
  assert.deepEqual(await page.evaluate(() => window.__freqs), [], 'a tone played although the download sound was turned off');

  // A custom file, through the Settings page.
  const file = join(dest, 'chime.wav');
  await writeFile(file, wav());
  const advanced = page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /Advanced/ });
  if ((await advanced.getAttribute('aria-expanded')) !== 'true') await advanced.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('textbox', { name: 'Download Sound File' }).fill(file);
  await page.getByRole('button', { name: 'Save Settings' }).click();
  await page.getByText('Settings saved successfully!').waitFor();
  await page.getByRole('button', { name: 'Test the sound: when a download finishes' }).click();
  await page.getByText('Played the custom sound.').waitFor({ timeout: 10000 });

  // A file that is not there: the tone, and the backend's reason.
  await page.getByRole('textbox', { name: 'Download Sound File' }).fill(join(dest, 'gone.wav'));
  await page.getByRole('button', { name: 'Save Settings' }).click();
  await page.getByText('Settings saved successfully!').waitFor();
  await page.getByRole('button', { name: 'Test the sound: when a download finishes' }).click();
  await page.getByText(/The custom sound could not be played \(.*no such file or directory\); played the built-in tone\./).waitFor({ timeout: 10000 });

  await page.getByRole('region', { name: 'Notifications' }).getByRole('heading', { name: 'Desktop notifications' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${artifacts}settings-notifications.png` });
  await page.getByRole('region', { name: 'About' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${artifacts}settings-end.png` });
  await page.close();
});
