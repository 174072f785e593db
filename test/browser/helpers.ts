/**
 * Shared set-up of the browser tests: serve the built page (`web/dist`, built by
 * `npm run build:web`) with or without COOP/COEP, drive Debian's Chromium headless through
 * playwright-core (with the headless launch flags in LAUNCH_ARGS below), collect page errors, save
 * screenshots as artifacts under `test-results/browser/`, and catch downloads.
 */
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type BrowserContext, type Download, type Page } from "playwright-core";
import { packModel } from "../../src/convert/pack.js";
import { ModelMetadata } from "../../src/metadata/index.js";
import { startServer, type RunningServer } from "../../web/serve.js";
import { fixture, repoRoot, tempDir } from "../helpers/paths.js";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = join(repoRoot, "test-results", "browser");
export const DIST = join(repoRoot, "web", "dist");

export const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Chromium's software WebGPU adapter (SwiftShader), for the WebGPU tests. */
export const WEBGPU_ARGS = ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"];

export interface PageSession {
  page: Page;
  context: BrowserContext;
  server: RunningServer;
  /** Uncaught page errors and console errors seen so far. */
  errors: string[];
  /** A scratch folder removed by `close()`. */
  dir: string;
  close(): Promise<void>;
}

/** Open the page (at `hash`, e.g. `#predict`) in a fresh headless Chromium. */
export async function openPage(hash = "", options: { isolate?: boolean; args?: string[] } = {}): Promise<PageSession> {
  try {
    await stat(join(DIST, "index.html"));
  } catch {
    throw new Error(`${DIST} has no index.html: run \`npm run build:web\` first (npm run test:browser does)`);
  }
  const dir = await tempDir("czmodel-browser-");
  const server = await startServer({ root: DIST, isolate: options.isolate ?? true });
  const context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...LAUNCH_ARGS, ...(options.args ?? [])],
    acceptDownloads: true,
    viewport: { width: 1280, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${server.url}${hash}`);
  await page.waitForFunction(() => document.getElementById("runtime-note")?.textContent !== "");
  return {
    page,
    context,
    server,
    errors,
    dir,
    async close() {
      await context.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Save a full-page screenshot as a test artifact; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Click `selector` and save the download it starts into `dir`; returns the saved path and name. */
export async function downloadFrom(
  page: Page,
  selector: string,
  dir: string,
  timeout = 60_000,
): Promise<{ path: string; name: string; download: Download }> {
  const [download] = await Promise.all([page.waitForEvent("download", { timeout }), page.click(selector)]);
  const name = download.suggestedFilename();
  const path = join(dir, name);
  await download.saveAs(path);
  return { path, name, download };
}

/** Wait until the prediction finished (status "Done") or failed (an error shown); returns the status text. */
export async function waitForPrediction(page: Page, timeout = 120_000): Promise<string> {
  await page.waitForFunction(
    () =>
      /^Done/.test(document.getElementById("predict-status")?.textContent ?? "") ||
      (document.getElementById("predict-error")?.textContent ?? "") !== "",
    null,
    { timeout, polling: 200 },
  );
  const error = await page.locator("#predict-error").textContent();
  if (error) throw new Error(`the page shows an error: ${error}`);
  return (await page.locator("#predict-status").textContent()) ?? "";
}

/** Errors other than the expected ones (e.g. a 404 the test provoked). */
export function unexpectedErrors(errors: string[], allowed: RegExp[] = []): string[] {
  return errors.filter((e) => !allowed.some((re) => re.test(e)));
}

/**
 * Pack the small test model `test/fixtures/engine/fcn3.onnx` (3 convolutions, 1 → 2 channels,
 * softmax; dynamic spatial dims) as a segmentation `.czann` with a fixed `tile × tile` input:
 * a fast model for long tiled runs (cancel, the 10000² memory test).
 */
export async function packFcn3(tile: number, dir: string): Promise<string> {
  const onnx = new Uint8Array(await readFile(fixture("engine", "fcn3.onnx")));
  const metadata = ModelMetadata.fromParams({
    type: "SingleClassSemanticSegmentation",
    inputShape: [tile, tile, 1],
    outputShape: [tile, tile, 2],
    minOverlap: [8, 8],
    classes: ["Background", "Foreground"],
    modelName: `fcn3 ${tile}`,
  });
  const packed = packModel({ payload: { kind: "onnx", bytes: onnx }, metadata }, { spatialDims: [tile, tile] });
  const path = join(dir, `fcn3_${tile}.czann`);
  await writeFile(path, packed.bytes);
  return path;
}
