// The first real user flow in a browser: the app starts its node, the
// Dashboard says so, a file uploaded from the Restore page is stored on the
// node and comes back byte for byte through the download link.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { startServe, launchBrowser, artifacts } from './harness.mjs';

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

test('node runs, a file uploads from the page and downloads back identical', async () => {
  const page = await browser.newPage({ acceptDownloads: true });
  await page.goto(serve.url);
  await page.waitForFunction(() => document.querySelector('[data-testid="node-state"]')?.textContent.includes('Running'), null, { timeout: 30000 });
  await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true });

  const dir = await mkdtemp(join(tmpdir(), 'archivist-e2e-upload-'));
  const file = join(dir, 'holiday notes.txt');
  const content = randomBytes(300000);
  await writeFile(file, content);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Restore', exact: true }).click();
  await page.locator('input[type="file"]').setInputFiles(file);
  const row = page.getByRole('row', { name: /holiday notes\.txt/ });
  await row.waitFor({ timeout: 20000 });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('link', { name: /Download/ }).click(),
  ]);
  const saved = join(dir, 'downloaded');
  await download.saveAs(saved);
  const { readFile } = await import('node:fs/promises');
  const back = await readFile(saved);
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  assert.equal(sha(back), sha(content), 'downloaded bytes differ from the uploaded file');
  await page.screenshot({ path: `${artifacts}restore.png`, fullPage: true });
  await page.close();
});
