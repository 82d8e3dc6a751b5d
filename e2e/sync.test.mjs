// A folder added on the Backups page is watched: its files are uploaded and
// a file dropped in later is picked up, with the counts on the page real.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, launchBrowser, openApp, waitNodeRunning, shoot } from './harness.mjs';

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

test('a folder added on the Backups page syncs, and a new file follows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'archivist-e2e-sync-'));
  await mkdir(join(dir, 'nested'));
  await writeFile(join(dir, 'one.txt'), 'first file');
  await writeFile(join(dir, 'nested', 'two.txt'), 'second file');
  await writeFile(join(dir, '.hidden'), 'never uploaded');

  const page = await browser.newPage();
  await openApp(page, serve.url);
  await waitNodeRunning(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Backups', exact: true }).click();
  await page.getByPlaceholder('/home/you/Documents').fill(dir);
  await page.getByRole('button', { name: 'Add Folder', exact: true }).click();

  const card = page.getByRole('article');
  await card.getByText('2/2', { exact: true }).waitFor({ timeout: 30000 });

  await writeFile(join(dir, 'nested', 'three.txt'), 'added while watched');
  await card.getByText('3/3', { exact: true }).waitFor({ timeout: 30000 });
  await shoot(page, 'sync-backups');

  const st = await page.evaluate(async () => (await fetch('/api/sync')).json());
  assert.equal(st.folders.length, 1);
  assert.equal(st.folders[0].syncedFiles, 3);
  assert.ok(st.recentUploads.some((u) => u.path === 'nested/three.txt'), 'the new file is among the recent uploads');
  await page.close();
});
