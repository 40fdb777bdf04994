// The engine natively (`whenasync bench`) and in WebAssembly under Node.js, on the same
// reference scenario (CommonJS, like wasm-bindgen's nodejs output).
// Usage: node bench.cjs <wasm-bindgen nodejs dir> <whenasync binary> [tasks] [repeat]
"use strict";
const { execFileSync } = require("node:child_process");
const { performance } = require("node:perf_hooks");
const path = require("node:path");

const [pkgDir, exe, tasksArg, repeatArg] = process.argv.slice(2);
const tasks = Number(tasksArg ?? 100000);
const repeat = Number(repeatArg ?? 3);
const KINDS = ["full run", "figures only"];

// Native: `whenasync bench` prints "full run (segments): S s, ..." and "figures only: S s, ...".
function native(env) {
  const args = ["bench", "--tasks", String(tasks), "--repeat", String(repeat)];
  const out = execFileSync(exe, args, { encoding: "utf8", env: { ...process.env, ...env } });
  const secs = (kind) => {
    const line = out.split("\n").find((l) => l.startsWith(kind));
    return line ? Number(/([\d.]+) s\b/.exec(line)[1]) : NaN;
  };
  return { events: Number(/events:\s+(\d+)/.exec(out)[1]), secs: KINDS.map(secs) };
}
// As shipped, and with glibc's malloc keeping freed memory: wasm's linear memory stays grown
// between runs, while the shipped binary page-faults its segment buffers in on every repetition.
const keep = 2 ** 32;
const natives = [
  ["native (whenasync bench)", native({})],
  [
    "native, malloc keeps freed memory",
    native({
      GLIBC_TUNABLES: `glibc.malloc.mmap_threshold=${keep}:glibc.malloc.trim_threshold=${keep}`,
    }),
  ],
];

// WebAssembly: the same two calls, each best of `repeat`.
const wasm = require(path.resolve(pkgDir, "whenasync_bench_wasm.js"));
const firsts = [];
const wasmSecs = [wasm.run_full, wasm.run_figures].map((run) => {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    const events = run(tasks);
    const secs = (performance.now() - t0) / 1000;
    if (i === 0) firsts.push(secs);
    best = Math.min(best, secs);
    if (events !== natives[0][1].events) {
      const want = natives[0][1].events;
      throw new Error(`wasm processed ${events} events, native ${want}: not the same run`);
    }
  }
  return best;
});

const events = natives[0][1].events;
const cell = (secs) => {
  const rate = (events / secs / 1e6).toFixed(2).padStart(6);
  return `${secs.toFixed(3)} s ${rate} M/s`.padStart(22);
};
const first = firsts.map((s) => `${s.toFixed(3)} s`).join(", ");
console.log(`scenario: threads(8), ${tasks} requests (2 ms CPU, 20 ms I/O, 1 ms CPU), Poisson 300/s`);
console.log(`events: ${events} (the same in both); best of ${repeat}\n`);
console.log(`${"".padEnd(36)}${KINDS.map((k) => k.padStart(22)).join("")}`);
for (const [label, n] of natives) console.log(`${label.padEnd(36)}${n.secs.map(cell).join("")}`);
console.log(`${`wasm, Node ${process.version}`.padEnd(36)}${wasmSecs.map(cell).join("")}`);
console.log(`(wasm's first runs: ${first}: memory growth, tier-up)\n`);
for (const [label, n] of natives) {
  const ratios = KINDS.map((k, i) => `${k} ${(n.secs[i] / wasmSecs[i]).toFixed(2)}`);
  console.log(`wasm speed / ${label}: ${ratios.join(", ")}`);
}
