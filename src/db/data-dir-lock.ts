// PGlite is single-process: two servers on one data directory would corrupt it. A pid lock file refuses the
// second one with a clear message, and a lock left by a process that no longer runs is taken over.
import fs from "node:fs";
import path from "node:path";

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e: any) { return e?.code === "EPERM"; }
}

const heldByThisProcess = new Set<string>();

function inUse(dir: string, pid: number): Error {
  return new Error(`the embedded database in ${dir} is in use by another server (pid ${pid}); stop it, or set DATA_DIR or DATABASE_URL`);
}

/** Takes the lock; returns its release function. Throws if a live process (or this one) holds it. */
export function lockDataDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(path.resolve(dir), "server.lock");
  if (heldByThisProcess.has(file)) throw inUse(dir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      heldByThisProcess.add(file);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        heldByThisProcess.delete(file);
        try { if (fs.readFileSync(file, "utf8") === String(process.pid)) fs.rmSync(file); } catch { /* already gone */ }
      };
      process.once("exit", release);
      return release;
    } catch (e: any) {
      if (e?.code !== "EEXIST") throw e;
      const holder = Number(fs.readFileSync(file, "utf8"));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) throw inUse(dir, holder);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${dir}`);
}
