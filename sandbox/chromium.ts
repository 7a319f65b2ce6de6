// Finding a Chromium for the sandbox's browser test and screenshot: playwright-core drives an
// installed browser (it downloads none), so look where browsers usually are.

import { existsSync } from "node:fs";
import { type BrowserContext, chromium } from "playwright-core";

/** Common install paths, in the order they are tried after CHROMIUM_PATH. */
export const CHROMIUM_PATHS: readonly string[] = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

export const HOW_TO_GET_CHROMIUM =
  "no Chromium found: install one (apt-get install chromium, dnf install chromium, brew install --cask chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary";

export class ChromiumMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChromiumMissingError";
  }
}

/** CHROMIUM_PATH when set (and it must exist), else the first common path that exists. */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  candidates: readonly string[] = CHROMIUM_PATHS,
): string {
  const wanted = env.CHROMIUM_PATH?.trim();
  if (wanted) {
    if (existsSync(wanted)) return wanted;
    throw new ChromiumMissingError(`CHROMIUM_PATH=${wanted} does not exist; ${HOW_TO_GET_CHROMIUM}`);
  }
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new ChromiumMissingError(HOW_TO_GET_CHROMIUM);
  return found;
}

/** Flags for a quiet headless run: no sandbox (containers, CI), no GPU, nothing phoning home. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A headless Chromium with its own profile folder, sized and localised like the README's picture. */
export function launchChromium(profileDir: string, executablePath = findChromium()): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1600, height: 900 },
    locale: "en-GB",
    timezoneId: "Europe/Berlin",
    reducedMotion: "reduce",
  });
}
