/**
 * A tiny static file server for the built page (`web/dist`), for `npm run web`, the browser
 * tests and the benchmark. It sends the cross-origin isolation headers
 * (`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy: require-corp`)
 * that onnxruntime-web needs for wasm threads; `isolate: false` leaves them out, to check the
 * page's one-thread fallback. `.wasm` is served as `application/wasm` (streaming compile).
 * Node-only. Written by hand: 60 lines of `node:http` beat a dependency.
 *
 *   node --import tsx web/serve.ts [--port 5173] [--host 127.0.0.1] [--no-isolation] [--root web/dist]
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const DEFAULT_ROOT = fileURLToPath(new URL("./dist", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
};

export interface ServeOptions {
  /** Folder to serve (default `web/dist`). */
  root?: string;
  /** Port (default 0: any free port). */
  port?: number;
  host?: string;
  /** Send COOP/COEP (default true). */
  isolate?: boolean;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const root = resolve(options.root ?? DEFAULT_ROOT);
  const isolate = options.isolate ?? true;
  const host = options.host ?? "127.0.0.1";
  const server = createServer(async (req, res) => {
    const headers: Record<string, string> = { "Cache-Control": "no-cache", "Cross-Origin-Resource-Policy": "same-origin" };
    if (isolate) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
    }
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file = resolve(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, headers).end("forbidden");
      return;
    }
    try {
      let s = await stat(file);
      if (s.isDirectory()) {
        file = join(file, "index.html");
        s = await stat(file);
      }
      res.writeHead(200, {
        ...headers,
        "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
        "Content-Length": String(s.size),
      });
      if (req.method === "HEAD") res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain" }).end(`not found: ${path}`);
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, host, () => ok());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    url: `http://${host}:${port}/`,
    server,
    close: () =>
      new Promise<void>((ok) => {
        if (!server.listening) return ok();
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const root = argValue(args, "--root") ?? DEFAULT_ROOT;
  try {
    await stat(join(root, "index.html"));
  } catch {
    console.error(`web: ${root} has no index.html; build the page first with \`npm run build:web\``);
    process.exit(2);
  }
  const running = await startServer({
    root,
    port: Number(argValue(args, "--port") ?? 5173),
    host: argValue(args, "--host") ?? "127.0.0.1",
    isolate: !args.includes("--no-isolation"),
  });
  console.log(`czmodel page: ${running.url}  (serving ${root}; Ctrl+C to stop)`);
}
