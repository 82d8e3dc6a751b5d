// Settings are config.toml: what the page saves is in the file and on the
// page after a reload, invalid input is refused with the reason and changes
// nothing, and Reset to Defaults puts the defaults back in both.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServe, launchBrowser, openApp, nav, readConfig, waitText, shoot } from './harness.mjs';

let serve;
let browser;
let page;

// The defaults of internal/app/config (config.Default).
const DEFAULT_EXCLUDES = ['*.tmp', '*.temp', '.DS_Store', 'Thumbs.db'];

before(async () => {
  serve = await startServe();
  browser = await launchBrowser();
  page = await browser.newPage();
  await openApp(page, serve.url);
  await nav(page, 'Settings');
  await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

const maxStorage = () => page.getByLabel('Max Storage (GB)', { exact: true });
const minimized = () => page.getByLabel('Start minimized to system tray', { exact: true });
const excludes = () => page.getByRole('list', { name: 'Exclude Patterns' }).getByRole('listitem').locator('.tag-text').allTextContents();
const save = () => page.getByRole('button', { name: 'Save Settings' }).click();
const status = () => page.getByRole('status').filter({ has: page.locator('.success-banner') });

async function reloadSettings() {
  await page.reload();
  await maxStorage().waitFor();
}

test('saved settings are in config.toml and on the page after a reload', async () => {
  // The file the harness wrote: ports only, everything else at its default.
  const initial = await readConfig(serve.configPath);
  assert.equal(await maxStorage().inputValue(), '10');
  assert.equal(await minimized().isChecked(), false);
  assert.deepEqual(await excludes(), DEFAULT_EXCLUDES);

  await maxStorage().fill('37');
  await minimized().check();
  await page.getByLabel('New exclude pattern').fill('*.bak');
  await page.getByRole('button', { name: 'Add', exact: true }).first().click();
  await page.getByRole('button', { name: 'Remove Thumbs.db' }).click();
  await page.getByText('Unsaved changes').waitFor();
  await save();

  await waitText(status().locator('.success-banner'), 'Settings saved successfully!');
  const changed = await status().locator('.outcome-changed').textContent();
  for (const key of ['node.max_storage_gb', 'start_minimized', 'sync.exclude_patterns']) {
    assert.ok(changed.includes(key), `"${changed}" names ${key}`);
  }
  // The node reads its quota at start: the page says a restart applies it.
  assert.match(await page.locator('.restart-notice').textContent(), /The node restarts to apply \(if it is running\): node\.max_storage_gb/);

  const cfg = await readConfig(serve.configPath);
  assert.equal(cfg.node.max_storage_gb, 37);
  assert.equal(cfg.start_minimized, true);
  assert.deepEqual(cfg.sync.exclude_patterns, ['*.tmp', '*.temp', '.DS_Store', '*.bak']);
  // Nothing else moved: the ports the test gave the instance are kept.
  assert.equal(cfg.node.api_port, initial.node.api_port);

  await reloadSettings();
  assert.equal(await maxStorage().inputValue(), '37');
  assert.ok(await minimized().isChecked());
  assert.deepEqual(await excludes(), ['*.tmp', '*.temp', '.DS_Store', '*.bak']);
  await shoot(page, 'settings-saved');
});

test('invalid input shows the reason at the field and saves nothing', async () => {
  const file = await readFile(serve.configPath, 'utf8');
  await maxStorage().fill('0');
  await page.getByLabel('API Port', { exact: true }).fill('80');
  await minimized().uncheck(); // a valid change in the same save must not go through either
  await save();

  const alert = page.getByRole('alert').filter({ hasText: 'Settings were not saved' });
  await alert.waitFor();
  const problems = await alert.locator('.problem-list li').allTextContents();
  assert.ok(problems.some((p) => p.startsWith('node.max_storage_gb')), `a problem about Max Storage: ${problems}`);
  assert.ok(problems.some((p) => p.startsWith('node.api_port')), `a problem about API Port: ${problems}`);
  assert.equal(await maxStorage().getAttribute('aria-invalid'), 'true');
  const fieldError = page.locator('#cfg-node-max_storage_gb-error');
  assert.ok((await fieldError.textContent()).length > 0, 'the reason is under the field');
  assert.equal(await page.getByLabel('API Port', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await readFile(serve.configPath, 'utf8'), file, 'config.toml changed after a refused save');

  // The refused values were never stored: a reload shows the saved ones.
  await reloadSettings();
  assert.equal(await maxStorage().inputValue(), '37');
  assert.ok(await minimized().isChecked());
});

test('Reset to Defaults, confirmed, puts the defaults back on the page and in config.toml', async () => {
  await page.getByRole('button', { name: 'Reset to Defaults' }).click();
  const dialog = page.getByRole('alertdialog');
  await waitText(dialog.locator('p').first(), 'Reset all settings to defaults? This cannot be undone.');
  await dialog.getByRole('button', { name: 'Reset', exact: true }).click();
  await waitText(status().locator('.success-banner'), 'Settings reset to defaults.');

  assert.equal(await maxStorage().inputValue(), '10');
  assert.equal(await minimized().isChecked(), false);
  assert.deepEqual(await excludes(), DEFAULT_EXCLUDES);
  const cfg = await readConfig(serve.configPath);
  assert.equal(cfg.node.max_storage_gb, 10);
  assert.equal(cfg.start_minimized, false);
  assert.deepEqual(cfg.sync.exclude_patterns, DEFAULT_EXCLUDES);

  await reloadSettings();
  assert.equal(await maxStorage().inputValue(), '10');
  assert.deepEqual(await excludes(), DEFAULT_EXCLUDES);
});
