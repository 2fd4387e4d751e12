// PGlite is single-process: two servers on one data directory would corrupt it. The lock is a Unix socket in the
// directory that the holding server listens on. Another server (another process, or another container on the
// same volume: a socket file reaches its listener across mount and pid namespaces) connects to it and is refused
// with the holder's details; when the holder dies the kernel closes its socket, so a lock left behind is seen as
// free at once. Nothing runs while the lock is held: no timer, no refresh. Process ids could not do this: every
// container's server is pid 1.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const SOCKET = "server.sock";
/** sun_path holds 108 bytes on Linux, 104 on macOS */
const MAX_SOCKET_PATH = 100;
const TAKEOVER_STALE_MS = 10_000;

interface Holder { pid: number; host: string; since: string }

/** An expected refusal: the CLI prints its message alone. */
export class DataDirInUseError extends Error {}

function inUse(dir: string, h: Holder | undefined): Error {
  const who = h ? `pid ${h.pid} on ${h.host}, since ${h.since}` : "another process";
  return new DataDirInUseError(`the embedded database in ${dir} is in use by another server (${who}); stop it, or set DATA_DIR or DATABASE_URL`);
}

/** Connects to a lock socket: the holder's details if someone listens, undefined if nobody does. */
function probe(file: string): Promise<Holder | "nobody"> {
  return new Promise((resolve, reject) => {
    const s = net.connect(file);
    let data = "";
    s.setEncoding("utf8");
    s.on("data", (d) => { data += d; });
    s.on("end", () => {
      try { resolve(JSON.parse(data)); } catch { resolve({ pid: 0, host: "unknown", since: "unknown" }); }
    });
    s.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ECONNREFUSED" || e.code === "ENOENT") resolve("nobody");
      else reject(e);
    });
    s.setTimeout(5_000, () => { s.destroy(); resolve({ pid: 0, host: "unknown (not answering)", since: "unknown" }); });
  });
}

function listen(file: string, holder: Holder): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((c) => { c.end(JSON.stringify(holder)); c.on("error", () => {}); });
    server.once("error", reject);
    server.listen(file, () => {
      server.off("error", reject);
      server.on("error", () => {});
      server.unref(); // holding the lock must not keep the process alive
      resolve(server);
    });
  });
}

/** A short-lived mutex for replacing a stale socket, so two servers starting together cannot both replace it. */
async function withTakeoverMutex<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const mutex = `${file}.takeover`;
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(mutex);
      break;
    } catch (e: any) {
      if (e?.code !== "EEXIST") throw e;
      try {
        if (Date.now() - fs.statSync(mutex).mtimeMs > TAKEOVER_STALE_MS) { fs.rmSync(mutex, { recursive: true, force: true }); continue; }
      } catch { continue; }
      if (i > 200) throw new Error(`could not lock ${path.dirname(file)}: ${mutex} stays in the way`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try { return await fn(); } finally { fs.rmSync(mutex, { recursive: true, force: true }); }
}

/** Takes the lock; returns its release function. Throws if a live server (this process included) holds it. */
export async function lockDataDir(dir: string): Promise<() => void> {
  fs.mkdirSync(dir, { recursive: true });
  const abs = path.resolve(dir);
  const file = path.join(abs, SOCKET);
  const bindPath = file.length <= MAX_SOCKET_PATH ? file : shortAlias(abs);
  const holder: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  const server = await withTakeoverMutex(bindPath, async () => {
    const found = await probe(bindPath);
    if (found !== "nobody") throw inUse(dir, found);
    fs.rmSync(bindPath, { force: true }); // left by a server that is gone
    return listen(bindPath, holder);
  });
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    server.close();
    fs.rmSync(bindPath, { force: true });
  };
  process.once("exit", release);
  return release;
}

/**
 * For a directory whose socket path would not fit: the socket is reached through a short symlink to the directory
 * under the temporary directory, named by the directory's device and inode so every server on this machine that
 * opens the directory, by any path, finds the same socket.
 */
function shortAlias(abs: string): string {
  const st = fs.statSync(abs);
  const link = path.join(os.tmpdir(), `sk-lock-${st.dev.toString(36)}-${st.ino.toString(36)}`);
  try {
    if (fs.readlinkSync(link) !== abs) fs.rmSync(link, { force: true });
  } catch { /* absent */ }
  try { fs.symlinkSync(abs, link); } catch (e: any) { if (e?.code !== "EEXIST") throw e; }
  return path.join(link, SOCKET);
}
