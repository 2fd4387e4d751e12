// Where a server spends its CPU: summarises V8 .cpuprofile files written by `BENCH_PROFILE=1 npm run bench`.
//   npx tsx bench/profile-summary.ts bench/profiles/rest-get.cpuprofile [more…] [--top 25] [--callers writev]
// Prints self time grouped by package (or src/ file), the top functions by self time, and inclusive time of
// a few known frames (auth, Prisma, protobuf, pino, Fastify) so scenarios can be compared.
import fs from "node:fs";
import path from "node:path";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

function group(url: string): string {
  if (!url) return "(native/V8)";
  const u = url.replace(/^file:\/\//, "");
  const nm = u.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const parts = u.slice(nm + 14).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (u.startsWith("node:")) return `node:${u.slice(5).split("/")[0]}`;
  const src = u.indexOf("/src/");
  if (src >= 0) return u.slice(src + 1);
  const bench = u.indexOf("/bench/");
  if (bench >= 0) return u.slice(bench + 1);
  return path.basename(u);
}

/** inclusive time: a sample counts for a part when any frame of its stack matches the function name or URL */
const INCLUSIVE: { label: string; fn?: RegExp; url?: RegExp }[] = [
  { label: "auth: verifyAuthorization (jose RS256 verify)", fn: /^(verifyAuthorization|verifyToken)$/ },
  { label: "jose (sign + verify)", url: /\/jose\// },
  { label: "Prisma client (query build/execute/deserialise)", url: /@prisma\/|generated\/prisma/ },
  { label: "pg driver", url: /\/pg\/|pg-protocol|pg-pool/ },
  { label: "protobuf (create/toJson/fromJson/binary)", url: /@bufbuild\/protobuf/ },
  { label: "connect (gRPC transport)", url: /@connectrpc\// },
  { label: "pino logging", url: /\/pino\/|pino-std-serializers/ },
  { label: "garbage collector", fn: /^\(garbage collector\)$/ },
];

function summarise(file: string, top: number, callersOf?: string) {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // self time per node from samples + timeDeltas (µs)
  const self = new Map<number, number>();
  const samples = p.samples ?? [], deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  let total = 0, idle = 0;
  for (const [id, t] of self) {
    total += t;
    if (byId.get(id)!.callFrame.functionName === "(idle)") idle += t;
  }
  const busy = total - idle;
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;

  const groups = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === "(idle)") continue;
    const g = group(n.callFrame.url);
    groups.set(g, (groups.get(g) ?? 0) + t);
    const key = `${n.callFrame.functionName || "(anonymous)"}  ${group(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + t);
  }

  // inclusive time: a sample counts once for a label if any frame on its stack matches
  const incl = new Map<string, number>();
  for (const [id, t] of self) {
    if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
    const hit = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      for (const part of INCLUSIVE)
        if ((part.fn && part.fn.test(f.functionName)) || (part.url && part.url.test(f.url))) hit.add(part.label);
    }
    for (const h of hit) incl.set(h, (incl.get(h) ?? 0) + t);
  }

  console.log(`\n=== ${path.basename(file)}: ${(busy / 1000).toFixed(0)} ms busy of ${((p.endTime - p.startTime) / 1000).toFixed(0)} ms profiled`);
  console.log("-- self time by package / file");
  for (const [g, t] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${g}`);
  console.log("-- top functions by self time");
  for (const [f, t] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${f}`);
  console.log("-- inclusive time of known parts");
  for (const { label } of INCLUSIVE) console.log(`${pct(incl.get(label) ?? 0)}  ${label}`);

  if (callersOf) {
    // self time of the named function, by the stack (5 frames up) that called it
    const stacks = new Map<string, number>();
    for (const [id, t] of self) {
      if (byId.get(id)!.callFrame.functionName !== callersOf) continue;
      const frames: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && frames.length < 6; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        if (f.functionName === "(root)") break;
        frames.push(`${f.functionName || "(anon)"}@${group(f.url)}:${f.lineNumber + 1}`);
      }
      const k = frames.join(" < ");
      stacks.set(k, (stacks.get(k) ?? 0) + t);
    }
    console.log(`-- callers of ${callersOf}`);
    for (const [k, t] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
  }
}

const args = process.argv.slice(2);
let top = 20;
let callers: string | undefined;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--top") top = Number(args[++i]);
  else if (args[i] === "--callers") callers = args[++i];
  else files.push(args[i]);
}
if (!files.length) {
  console.error("usage: tsx bench/profile-summary.ts <file.cpuprofile>… [--top N]");
  process.exit(2);
}
for (const f of files) summarise(f, top, callers);
