// The first run as a new user meets it: a fresh install in a browser goes
// from the splash to a backed-up folder in at most three decisions and
// under 30 seconds, on the real node and the real upload — the CID the last
// screen shows is the welcome file's, served back byte for byte.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, launchBrowser, artifacts, sha256 } from './harness.mjs';

let serve;
let browser;
let home;

before(async () => {
  // The Quick Backup folder goes into the user's Documents: give this user a home of its own.
  home = await mkdtemp(join(tmpdir(), 'archivist-e2e-home-'));
  serve = await startServe({ env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config') } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

test('onboarding: three decisions to a backed-up Quick Backup folder, under 30 s, resumable', async () => {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(serve.url);

  await page.getByRole('heading', { name: 'Archivist' }).waitFor({ timeout: 10000 });
  await page.screenshot({ path: `${artifacts}onboarding-splash.png` });
  await page.getByRole('heading', { name: 'Welcome to Archivist' }).waitFor({ timeout: 10000 });
  await page.screenshot({ path: `${artifacts}onboarding-welcome.png` });
  await page.getByRole('button', { name: 'Get Started' }).click(); // decision 1

  await page.getByRole('heading', { name: 'Choose Your First Backup' }).waitFor({ timeout: 30000 });
  await page.screenshot({ path: `${artifacts}onboarding-folder.png` });
  await page.getByRole('button', { name: 'Quick Backup' }).click(); // decision 2

  const cid = page.getByTestId('first-cid');
  await cid.waitFor({ timeout: 30000 });
  const elapsed = (Date.now() - t0) / 1000;
  console.log(`onboarding: first backup complete ${elapsed.toFixed(1)} s after opening the app`);
  assert.ok(elapsed < 30, `first backup took ${elapsed.toFixed(1)} s, want under 30 s`);
  await page.screenshot({ path: `${artifacts}onboarding-done.png` });

  // The CID on screen is the real one: the node serves the welcome file's bytes under it.
  const shown = (await cid.textContent()).trim();
  const onDisk = await readFile(join(home, 'Documents', 'Archivist Quickstart', 'welcome.txt'));
  const served = await page.request.get(`${new URL(serve.url).origin}/api/files/${shown}/content`);
  assert.equal(served.status(), 200, `GET content of ${shown}`);
  assert.equal(sha256(await served.body()), sha256(onDisk), 'the CID shown does not name the welcome file');

  // A relaunch in the middle resumes where the user was.
  await page.reload();
  await page.getByRole('heading', { name: 'Backup complete!' }).waitFor({ timeout: 15000 });
  await page.getByRole('button', { name: 'Continue to Dashboard' }).click(); // decision 3
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor({ timeout: 10000 });

  // Done for good (kept by the app, not the browser): a fresh browser profile goes straight to the app.
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await other.goto(serve.url);
  await other.getByRole('heading', { name: 'Dashboard' }).waitFor({ timeout: 10000 });
  assert.equal(await other.getByRole('heading', { name: 'Welcome to Archivist' }).count(), 0);
  await ctx.close();
  await page.close();
});
