/**
 * The web console in a real headless Chromium against a real 3-node cluster
 * on loopback (exec driver): log in, see the nodes, create a service, follow
 * its logs, lose a node, drain a node, update with the dry-run plan, and
 * read why a task cannot be placed. Every page is saved as a screenshot under
 * test-output/ui-console/ (or $SHOAL_TEST_OUTPUT) for a person to look at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ShoalClient } from '@shoal/api';
import { LocalCluster, freePort, waitFor } from '@shoal/testkit';
import { consoleRoot } from '@shoal/ui';
import { findChromium, launchBrowser, type ConsoleBrowser } from './browser.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const OUT = process.env.SHOAL_TEST_OUTPUT ?? join(REPO, 'test-output', 'ui-console');
const chromiumPath = findChromium();
const skip = chromiumPath === null ? 'no Chromium found (install Debian\'s `chromium`, or set SHOAL_CHROMIUM): the web console browser tests did not run' : false;

/** Polls the page until `probe` holds; real time, so a deadline and not a sleep. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  await waitFor(what, probe, { timeoutMs, everyMs: 100 });
}

async function text(page: Page, selector: string): Promise<string> {
  const loc = page.locator(selector);
  return (await loc.count()) > 0 ? ((await loc.first().textContent()) ?? '') : '';
}

async function shot(page: Page, name: string): Promise<void> {
  // Generous: Chromium's first screenshot on a fresh machine waits for the font cache to be built.
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true, timeout: 120_000 });
}

test('web console in a real browser against a 3-node cluster', { skip, timeout: 360_000 }, async (t) => {
  mkdirSync(OUT, { recursive: true });
  const cluster = new LocalCluster({ size: 3, driver: 'exec', client: (conn) => new ShoalClient(conn) });
  let browser: ConsoleBrowser | null = null;
  // Each step builds on the one before: after a failure the rest are skipped, not timed out one by one.
  let failed = false;
  let current: Page | null = null;
  const consoleErrors: string[] = [];
  const step = (name: string, fn: () => Promise<void>) =>
    t.test(name, { skip: failed ? 'an earlier step failed' : false }, async (st) => {
      try {
        await fn();
      } catch (err) {
        failed = true;
        // What the browser showed and said when it failed, for the person reading the CI log.
        st.diagnostic(`page ${current?.url()}; script errors: ${JSON.stringify(consoleErrors)}`);
        await current?.screenshot({ path: join(OUT, 'failed.png'), fullPage: true }).catch(() => undefined);
        throw err;
      }
    });
  try {
    await cluster.start();
    const n1 = cluster.nodes[0];
    const token = readFileSync(join(n1.dataDir, 'api.token'), 'utf8').trim();
    const url = `http://127.0.0.1:${n1.apiPort}/ui/`;
    browser = await launchBrowser(chromiumPath!);
    const page = await browser.context.newPage();
    current = page;
    // Generous: CI runs this beside other real-cluster tests on 2 cores.
    page.setDefaultTimeout(60_000);
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    page.on('pageerror', (e) => consoleErrors.push(e.message));

    await step('the console is served at /ui without a token, the API still needs one', async () => {
      const res = await fetch(url);
      assert.equal(res.status, 200, `GET /ui/ (bundle in ${consoleRoot})`);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.equal((await fetch(`http://127.0.0.1:${n1.apiPort}/v1/nodes`)).status, 401);
    });

    await step('a wrong token is refused, the right one shows 3 ready nodes', async () => {
      await page.goto(url);
      await page.getByLabel('API token').fill('not-the-token-of-this-node');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').filter({ hasText: 'wrong API token' }).waitFor();
      await shot(page, '01-login');
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Log in' }).click();
      await until('3 node cards', async () => (await page.locator('article.node-card').count()) === 3);
      await until('3 ready nodes', async () => (await text(page, '[data-field=node-counts]')).includes('3 ready'));
      await page.locator('[data-stream=live]').waitFor();
      // The node's own token has every right: node actions are offered.
      await page.locator('.role-badge[data-role=admin]').waitFor();
      await page.getByRole('button', { name: 'Drain node1' }).waitFor();
      assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing kept in localStorage');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('shoal.token')), token);
      await shot(page, '02-cluster');
    });

    await step('create a service from the UI and watch it reach running, with live logs', async () => {
      await page.getByRole('link', { name: 'Services' }).click();
      await page.getByRole('button', { name: 'New service' }).click();
      await page.getByLabel('Name', { exact: true }).fill('web');
      await page.getByLabel('Driver').selectOption('exec');
      await page.getByLabel('Command').fill('sh -c "while true; do echo tick; sleep 1; done"');
      await page.getByLabel('Replicas').fill('3');
      await page.getByRole('button', { name: 'Create service' }).click();
      await until('the service page', async () => page.url().endsWith('#/services/web'));
      await until('web 3/3 running', async () => (await text(page, '[data-field=replicas]')) === '3/3');
      await until('a log line', async () => (await text(page, '.log-lines')).includes('tick'));
      // Service networking shows once the cluster allocates a virtual IP (not every build does yet).
      const vip = (await cluster.client(0).getService('web')).vip;
      if (vip) await until(`the VIP ${vip}`, async () => (await text(page, '[data-field=vip]')).includes(vip));
      else t.diagnostic('this cluster allocated no virtual IP: the VIP field shows "none allocated"');
      await shot(page, '03-service');
      await page.getByRole('link', { name: 'Services' }).click();
      await until('the services table', async () => (await text(page, 'tr[data-service=web] [data-field=replicas]')) === '3/3');
      await shot(page, '04-services');
    });

    await step('a killed agent turns its node down and its tasks move, without a reload', async () => {
      await page.getByRole('link', { name: 'Cluster' }).click();
      const n3 = page.locator('article[data-node=node3] .badge');
      await until('node3 ready before the kill', async () => (await n3.textContent()) === 'ready');
      const seen = new Set<string>();
      await cluster.kill(2);
      await until('node3 down', async () => {
        const s = (await n3.textContent()) ?? '';
        seen.add(s);
        return s === 'down';
      });
      t.diagnostic(`node3 was shown as: ${[...seen].join(' -> ')}`);
      await until('node3 has no tasks', async () => (await text(page, 'article[data-node=node3] [data-field=tasks]')) === '0');
      await shot(page, '05-cluster-node-down');
      await page.goto(`${url}#/services/web`);
      await until('web 3/3 again', async () => (await text(page, '[data-field=replicas]')) === '3/3');
      await until('no task on node3', async () => (await page.locator('.tasks-by-node section[data-node=node3]').count()) === 0);
      await shot(page, '06-service-after-failover');
    });

    await step('drain a node from its card, with confirmation', async () => {
      await page.getByRole('link', { name: 'Cluster' }).click();
      await page.getByRole('button', { name: 'Drain node2' }).click();
      await page.getByRole('dialog').getByText('Every task on node2 is stopped').waitFor();
      await page.getByRole('button', { name: 'Confirm: Drain node2' }).click();
      await page.getByRole('status').filter({ hasText: 'node2 is draining' }).waitFor();
      await until('node2 empty', async () => (await text(page, 'article[data-node=node2] [data-field=tasks]')) === '0');
      await until('node1 holds all 3', async () => (await text(page, 'article[data-node=node1] [data-field=tasks]')) === '3');
      await shot(page, '07-cluster-drained');
    });

    await step('an update shows the dry-run plan before it commits', async () => {
      await page.goto(`${url}#/services/web`);
      await page.getByLabel('Command').fill('sh -c "while true; do echo tock; sleep 1; done"');
      await page.getByRole('button', { name: 'Update', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Version 1 → 2').waitFor();
      await dialog.getByText('command').first().waitFor();
      await shot(page, '08-update-plan');
      await page.getByRole('button', { name: 'Confirm: Update' }).click();
      await page.getByRole('status').filter({ hasText: 'updating to version 2' }).waitFor();
      await until('3 tasks on version 2', async () => (await text(page, '.service-summary')).includes('3/3 on v2'), 60_000);
    });

    await step('an unplaceable task shows the scheduler explanation, node by node', async () => {
      const port = await freePort();
      await page.getByRole('link', { name: 'Services' }).click();
      await page.getByRole('button', { name: 'New service' }).click();
      await page.getByLabel('Name', { exact: true }).fill('pinned');
      await page.getByLabel('Driver').selectOption('exec');
      await page.getByLabel('Command').fill('sleep 100000');
      await page.getByLabel('Replicas').fill('2');
      // Host mode: an ingress port is no per-node conflict, a host-mode one is.
      await page.getByLabel('Published ports').fill(`${port}:${port}/host`);
      await page.getByRole('button', { name: 'Create service' }).click();
      await until('the service page', async () => page.url().endsWith('#/services/pinned'));
      await page.getByRole('link', { name: /^Pending/ }).click();
      await until('one pending task', async () => (await page.locator('article.pending-task').count()) === 1);
      const reason = await text(page, '.pending-reason');
      t.diagnostic(`pending reason: ${reason}`);
      assert.match(reason, new RegExp(`${port}`));
      await page.getByRole('button', { name: 'Explain node by node' }).click();
      await until('three nodes explained', async () => (await page.locator('.placement-explanation tbody tr').count()) === 3);
      assert.match(await text(page, '.placement-explanation tr[data-node=node2]'), /drain/i);
      await shot(page, '09-pending');
    });

    await step('the event feed is live and filters by node', async () => {
      await page.getByRole('link', { name: 'Events' }).click();
      await until('events listed', async () => (await page.locator('ol.events li').count()) > 5);
      await page.getByLabel('Node').selectOption('node3');
      await until('node3 events only', async () => {
        const types = await page.locator('ol.events li').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
        return types.includes('node.down');
      });
      await shot(page, '10-events-node3');
      await page.getByLabel('Node').selectOption('');
      await shot(page, '11-events');
    });

    await step('dark theme follows the system', async () => {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.getByRole('link', { name: 'Cluster' }).click();
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, 'rgb(13, 17, 23)');
      await shot(page, '12-cluster-dark');
    });

    assert.deepEqual(consoleErrors.filter((e) => !/Failed to load resource/.test(e)), [], 'no script errors in the page');
    t.diagnostic(`screenshots in ${OUT}`);
  } finally {
    await browser?.close();
    await cluster.stop();
  }
});
