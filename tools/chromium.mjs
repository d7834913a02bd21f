// Headless Chromium for the lecture pages (figure export and browser test):
// Debian's chromium driven by playwright-core, in a fresh profile each time, with
// the flags that keep it off the network (without the background-networking ones
// it keeps trying to reach outside hosts; shared/reference/tooling.md).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Launches Chromium at `chromiumPath`, runs `use(context)` with a persistent
 * browser context in a new temporary profile, then closes it and removes the
 * profile. `options` go to playwright's launchPersistentContext (e.g. viewport).
 */
export async function withChromium(chromiumPath, use, options = {}) {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "l0-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
  try {
    return await use(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Runs `work(item)` for every item, `tabs` at a time (each worker takes the next
 * item when it is done): on 2 cores, two Chromium tabs render at once.
 */
export async function inTabs(items, work, tabs = 2) {
  const queue = [...items];
  const worker = async () => {
    while (queue.length > 0) await work(queue.shift());
  };
  await Promise.all(Array.from({ length: Math.min(tabs, queue.length) }, worker));
}
