/**
 * A real, throw-away Redis server for the queue tests: `redis-server` on a free local port
 * with its files in a temp folder (no snapshots, append-only file on), ready once it answers
 * PING; `stop()` kills it and removes the folder.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tempDir } from "./paths.js";

/** The server binary (Debian's redis-server package; `.ci/run` installs it). */
const REDIS_SERVER = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";

export interface TestRedis {
  url: string;
  port: number;
  /** Stop the server as an operator would (SIGTERM: it writes its append-only file) and start it again on the same port and folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket: true when the server answers +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (d) => done(d.toString().startsWith("+PONG")));
    socket.once("connect", () => socket.write("PING\r\n"));
  });
}

/** A running `redis-server` child and the promise of its exit. */
interface Server {
  child: ChildProcess;
  exited: Promise<void>;
}

function spawnServer(port: number, dir: string): Server {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes"];
  const child: ChildProcess = spawn(REDIS_SERVER, args, { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, exited };
}

async function stopServer(server: Server, signal: NodeJS.Signals): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  await server.exited;
}

/** Wait (up to 10 s) until the server answers PING; false when it exited or never answered. */
async function answers(server: Server, port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await ping(port)) return true;
    if (server.child.exitCode !== null) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Start `redis-server` and wait until it answers PING. */
export async function startRedis(): Promise<TestRedis> {
  const dir = await tempDir("czmodel-redis-");
  const port = await freePort();
  let server = spawnServer(port, dir);
  const stop = async () => {
    await stopServer(server, "SIGKILL");
    await rm(dir, { recursive: true, force: true });
  };
  const restart = async () => {
    await stopServer(server, "SIGTERM");
    server = spawnServer(port, dir);
    if (!(await answers(server, port))) throw new Error(`redis-server on port ${port} did not come back`);
  };
  if (await answers(server, port)) return { url: `redis://127.0.0.1:${port}`, port, restart, stop };
  await stop();
  throw new Error(`redis-server on port ${port} did not answer PING`);
}
