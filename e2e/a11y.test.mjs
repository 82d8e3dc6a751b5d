// Accessibility of every page, checked the way assistive technology sees
// it: axe-core's WCAG 2 A/AA rules run in the real page (every control has
// a name, labels point at fields, ARIA is valid, landmarks and headings
// make sense), then the keyboard: the navigation is reached and used with
// Tab and Enter, and the focused element always shows a visible outline.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServe, launchBrowser, openApp, nav, waitNodeRunning } from './harness.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// The terminal palette of the reference (§8.11) puts dim green text on
// near-black at about 3.4:1, under AA's 4.5:1 for body text: a deliberate
// look we keep, so contrast is the one rule not enforced here.
const SKIPPED_RULES = ['color-contrast'];

let serve;
let browser;
let ctx;

before(async () => {
  serve = await startServe();
  browser = await launchBrowser();
  // The app's CSP (rightly) refuses injected scripts; the checker is one.
  ctx = await browser.newContext({ bypassCSP: true });
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

async function axeViolations(page) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async (skip) => {
    const rules = Object.fromEntries(skip.map((id) => [id, { enabled: false }]));
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, rules });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  }, SKIPPED_RULES);
  return result;
}

function describe(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n');
}

test('first-run screens pass WCAG 2 A/AA checks', async () => {
  const page = await ctx.newPage();
  await page.goto(serve.url);
  await page.getByRole('heading', { name: 'Welcome to Archivist' }).waitFor({ timeout: 15000 });
  let v = await axeViolations(page);
  assert.deepEqual(v, [], `welcome screen:\n${describe(v)}`);
  await page.getByRole('button', { name: 'Get Started' }).click();
  await page.getByRole('heading', { name: 'Choose Your First Backup' }).waitFor({ timeout: 30000 });
  await page.getByRole('combobox', { name: 'Folder to back up' }).focus(); // open the suggestions too
  await page.getByRole('option').first().waitFor({ timeout: 5000 }).catch(() => {}); // a home may have no folders
  v = await axeViolations(page);
  assert.deepEqual(v, [], `folder screen:\n${describe(v)}`);
  await page.close();
});

test('every page passes WCAG 2 A/AA checks and is usable from the keyboard', async () => {
  const page = await ctx.newPage();
  await openApp(page, serve.url);
  await waitNodeRunning(page);

  const pages = [
    ['Dashboard', null],
    ['Backups', 'Backups'],
    ['Restore', 'Restore'],
    ['My Devices', 'My Devices'],
    ['Add Device', 'Add Device'],
    ['Logs', 'Logs'],
    ['Backup Server', 'Backup Server'],
    ['Settings', 'Settings'],
  ];
  const failures = [];
  for (const [name, link] of pages) {
    if (link) await nav(page, link);
    await page.waitForLoadState('networkidle').catch(() => {});
    const v = await axeViolations(page);
    if (v.length > 0) failures.push(`${name}:\n${describe(v)}`);
  }
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard', exact: true }).click();
  await page.getByRole('group', { name: 'Dashboard view' }).getByRole('button', { name: 'Advanced' }).click();
  const adv = await axeViolations(page);
  if (adv.length > 0) failures.push(`Dashboard (advanced):\n${describe(adv)}`);
  assert.deepEqual(failures, [], failures.join('\n\n'));

  // Keyboard: from the top of the page, Tab reaches "Backups" in the
  // navigation, every stop shows its focus, and Enter follows the link.
  await page.reload();
  await waitNodeRunning(page);
  await page.locator('body').focus();
  let reached = false;
  for (let i = 0; i < 15 && !reached; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      return {
        text: (el.textContent || el.getAttribute('aria-label') || '').trim(),
        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
        shadow: s.boxShadow !== 'none',
        tag: el.tagName,
      };
    });
    assert.ok(focus, `Tab ${i + 1} left the focus nowhere`);
    assert.ok(focus.outline || focus.shadow, `focused ${focus.tag} "${focus.text}" shows no focus indicator`);
    reached = focus.text === 'Backups';
  }
  assert.ok(reached, 'Tab never reached the Backups link in the navigation');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/sync$/, { timeout: 5000 });
  await page.close();
});
