// Yjs and Automerge on the workload of `bench/run peers` (issue 11, item 8).
//
//   node --expose-gc peers.mjs [--keys 100000] [--hot-keys 1000] [--overwrites 1000000]
//                              [--batch 1000] [--trials 3] [--checkpoints 5]
//                              [--systems yjs,automerge,automerge-js] [--only build,batch,hot]
//                              [--serve true]
//
// Prints one JSON line per figure on stdout, in the format of every bench suite
// ({"name", "params", "metric", "value", "unit"}; see bench/README.md). Progress goes to stderr.
//
// The workload is the one the Java side runs on Lattice and raw MVStore (dev.lattice.bench.peers):
// keys k0..k{keys-1}; value i is a ~105-byte JSON text built before any timing by the generator
// below (a xorshift32 stream, identical in PeersWorkload.java; the `fingerprint` lines let the Java
// side check that both built the same bytes); one LWW field per document:
//   - Yjs: one Y.Map "kv" of key -> string. A Y.Map entry is a last-writer-wins register.
//   - Automerge: the root map of key -> string scalar (ImmutableString in the JS API). A map entry
//     holding a scalar is a register whose winner is the op with the highest (counter, actor); a
//     plain JS string given to Automerge.change would become collaborative Text (one op per
//     character), which is not one LWW field. Flat, as in Yjs: a nested {v: string} per key would
//     add one map object per key on both peers and change neither register.
//
// Systems: yjs; automerge (the document core that Automerge.change drives, put + commit per
// change; see `automerge` below for why); automerge-js (Automerge.change itself; O(keys) per
// change, so only on request).
//
// Figures (each trial on a fresh document; times cover the writes only, values prebuilt):
//   build.perop   one transaction / change per key, ops/s; encoded size after (bytes, B/key)
//   build.batch   all keys in one transaction / change (batch = keys), and in batches of --batch
//   hot           --overwrites writes, one transaction / change each, over --hot-keys keys
//                 (write i sets key k(i mod hot-keys) to value (i + floor(i / hot-keys)) mod keys,
//                 so no write repeats the value its key holds); ops/s, and the encoded size at
//                 --checkpoints points (the clock is stopped while encoding)
// Encoded size: Y.encodeStateAsUpdate (V1; V2 as a second metric), Automerge.save.
//
// In --serve mode the script does nothing until told: it reads one JSON command per line on stdin
// ({"cmd":"versions"}, {"cmd":"fingerprint"}, {"cmd":"warmup"},
// {"cmd":"trial","system":"yjs","figure":"hot","trial":1}, with "batch" for build.batch), prints
// that command's lines, then {"done":true}. This lets
// the Java suite interleave trials of both languages in rounds, in warm processes.

import * as Y from "yjs";
import * as A from "@automerge/automerge";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const DEFAULTS = {
  keys: 100000, "hot-keys": 1000, overwrites: 1000000, batch: 1000, trials: 3, checkpoints: 5,
  systems: "yjs,automerge", only: "build,batch,hot", serve: "false",
};
// Fixed identities, so that encoded sizes repeat exactly from run to run.
const YJS_CLIENT_ID = 0x5eed1a77;
const AUTOMERGE_ACTOR = "1a77ce0000000000000000000000bea7";

function parseArgs(argv) {
  const out = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (!flag.startsWith("--") || i + 1 >= argv.length) {
      throw new Error(`expected --name value pairs, got '${flag}'`);
    }
    const name = flag.slice(2);
    if (!(name in DEFAULTS)) {
      throw new Error(`unknown parameter --${name}; known: ${Object.keys(DEFAULTS).join(", ")}`);
    }
    out[name] = argv[i + 1];
  }
  for (const k of ["keys", "hot-keys", "overwrites", "batch", "trials", "checkpoints"]) {
    out[k] = Number(String(out[k]).replaceAll("_", ""));
    if (!Number.isInteger(out[k]) || out[k] < 1) {
      throw new Error(`--${k} must be a positive integer: ${out[k]}`);
    }
  }
  out.systems = out.systems.split(",");
  out.only = out.only.split(",");
  out.serve = out.serve === "true";
  return out;
}

// ---- the workload (keep identical to PeersWorkload.java) ----

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SEED = 0x2545f491;

/**
 * Marsaglia's xorshift32 (shifts 13, 17, 5) on a 32-bit two's-complement state: JavaScript's
 * bitwise operators work on int32 exactly like Java's int, so both sides draw the same stream.
 * Each draw is used unsigned, reduced modulo the range.
 */
function generator(seed) {
  let x = seed | 0;
  return (range) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % range;
  };
}

function text(next, n) {
  let s = "";
  for (let j = 0; j < n; j++) {
    s += ALPHABET[next(ALPHABET.length)];
  }
  return s;
}

/** Keys k0..k{n-1} and their values, each a JSON object text of about 105 bytes (ASCII). */
export function workload(n) {
  const next = generator(SEED);
  const keys = new Array(n);
  const values = new Array(n);
  for (let i = 0; i < n; i++) {
    keys[i] = "k" + i;
    values[i] = '{"id":"k' + i + '","title":"' + text(next, 30) + '","body":"' + text(next, 16)
      + '","n":' + next(1000000) + ',"done":' + (next(2) === 1) + "}";
  }
  return { keys, values };
}

/** Total bytes and a 32-bit FNV-1a hash over every value, so two builds can be compared. */
function fingerprint(values) {
  let bytes = 0;
  let h = 0x811c9dc5 | 0;
  for (const v of values) {
    for (let j = 0; j < v.length; j++) {
      h = Math.imul(h ^ v.charCodeAt(j), 0x01000193);
    }
    bytes += v.length;
  }
  return { bytes, hash: h >>> 0 };
}

// ---- one trial of one figure on one system ----
// Each returns { nanos, sizes: [{metric, value, unit, extra params}] } for one fresh document.

const hrnow = () => process.hrtime.bigint();

const yjs = {
  fresh() {
    const doc = new Y.Doc();
    doc.clientID = YJS_CLIENT_ID;
    return { doc, map: doc.getMap("kv") };
  },
  sizes(doc) {
    return { v1: Y.encodeStateAsUpdate(doc).length, v2: Y.encodeStateAsUpdateV2(doc).length };
  },
  build(w, batch) {
    const { doc, map } = yjs.fresh();
    const n = w.keys.length;
    const t0 = hrnow();
    for (let from = 0; from < n; from += batch) {
      const to = Math.min(n, from + batch);
      doc.transact(() => {
        for (let i = from; i < to; i++) {
          map.set(w.keys[i], w.values[i]);
        }
      });
    }
    const nanos = Number(hrnow() - t0);
    const s = yjs.sizes(doc);
    doc.destroy();
    return { nanos, size: s.v1, sizeV2: s.v2 };
  },
  hot(w, hotKeys, overwrites, checkpoints) {
    const { doc, map } = yjs.fresh();
    return hotLoop(w, hotKeys, overwrites, checkpoints,
      (key, value) => doc.transact(() => map.set(key, value)),
      () => yjs.sizes(doc),
      () => doc.destroy());
  },
};

/**
 * Automerge through its document core: the wasm `Automerge` object that `Automerge.change` itself
 * drives (`getBackend`), one `put` on the root map and one `commit` per change. The saved bytes are
 * identical to those of the same changes made with `Automerge.change` (checked: same length, same
 * history, values load as ImmutableString). What it leaves out is the JavaScript view: `change`
 * also updates a materialised JS object, copying the root map (`Object.assign`) on every change, so
 * with k keys in one map each change costs O(k) (about 300 changes/s at 10,000 keys). That cost is
 * the binding's, not the CRDT's; `automerge-js` below measures it, on request.
 */
const automerge = {
  fresh() {
    return A.getBackend(A.init({ actor: AUTOMERGE_ACTOR }));
  },
  commit(core) {
    core.commit(null, Math.floor(Date.now() / 1000)); // the time Automerge.change records
  },
  build(w, batch) {
    const core = automerge.fresh();
    const n = w.keys.length;
    const t0 = hrnow();
    for (let from = 0; from < n; from += batch) {
      const to = Math.min(n, from + batch);
      for (let i = from; i < to; i++) {
        core.put("_root", w.keys[i], w.values[i]);
      }
      automerge.commit(core);
    }
    const nanos = Number(hrnow() - t0);
    const size = core.save().length;
    core.free();
    return { nanos, size };
  },
  hot(w, hotKeys, overwrites, checkpoints) {
    const core = automerge.fresh();
    return hotLoop(w, hotKeys, overwrites, checkpoints,
      (key, value) => { core.put("_root", key, value); automerge.commit(core); },
      () => ({ v1: core.save().length }),
      () => core.free());
  },
};

/** Automerge's documented JS API: `Automerge.change` per transaction, values as ImmutableString. */
const automergeJs = {
  build(w, batch) {
    const values = w.values.map((v) => new A.ImmutableString(v));
    let doc = A.init({ actor: AUTOMERGE_ACTOR });
    const n = w.keys.length;
    const t0 = hrnow();
    for (let from = 0; from < n; from += batch) {
      const to = Math.min(n, from + batch);
      doc = A.change(doc, (d) => {
        for (let i = from; i < to; i++) {
          d[w.keys[i]] = values[i];
        }
      });
    }
    const nanos = Number(hrnow() - t0);
    const size = A.save(doc).length;
    A.free(doc);
    return { nanos, size };
  },
  hot(w, hotKeys, overwrites, checkpoints) {
    const values = w.values.map((v) => new A.ImmutableString(v));
    let doc = A.init({ actor: AUTOMERGE_ACTOR });
    return hotLoop({ keys: w.keys, values }, hotKeys, overwrites, checkpoints,
      (key, value) => { doc = A.change(doc, (d) => { d[key] = value; }); },
      () => ({ v1: A.save(doc).length }),
      () => A.free(doc));
  },
};

/**
 * Write i sets key (i mod hotKeys) to value ((i + floor(i / hotKeys)) mod keys); the clock stops
 * at each checkpoint while the state is encoded. The first hotKeys writes create the keys.
 */
function hotLoop(w, hotKeys, overwrites, checkpoints, write, sizes, dispose) {
  const n = w.values.length;
  const at = [];
  let nanos = 0;
  let i = 0;
  for (let c = 1; c <= checkpoints; c++) {
    const until = Math.floor(overwrites * c / checkpoints);
    const t0 = hrnow();
    for (; i < until; i++) {
      write(w.keys[i % hotKeys], w.values[(i + Math.floor(i / hotKeys)) % n]);
    }
    nanos += Number(hrnow() - t0);
    at.push({ after: until, ...sizes() });
  }
  dispose();
  const last = at[at.length - 1];
  return { nanos, size: last.v1, sizeV2: last.v2, at };
}

const SYSTEMS = { yjs, automerge, "automerge-js": automergeJs };

/** The per-trial lines of one figure on one system. */
function trial(system, figure, batch, w, opts, trialNo) {
  const impl = SYSTEMS[system];
  const lines = [];
  const base = { system, keys: w.keys.length };
  if (trialNo !== undefined) {
    base.trial = trialNo;
  }
  const emit = (name, params, metric, value, unit) => lines.push({ name, params, metric, value, unit });
  if (figure === "build.perop" || figure === "build.batch") {
    const b = figure === "build.perop" ? 1 : batch;
    const r = impl.build(w, b);
    const p = figure === "build.perop" ? base : { ...base, batch: b };
    const n = w.keys.length;
    emit("peers." + figure, p, "thrpt", n * 1e9 / r.nanos, "ops/s");
    emit("peers." + figure, p, "size", r.size, "bytes");
    emit("peers." + figure, p, "size.per_key", r.size / n, "bytes");
    if (r.sizeV2 !== undefined) {
      emit("peers." + figure, p, "size.v2", r.sizeV2, "bytes");
    }
  } else if (figure === "hot") {
    const r = impl.hot(w, opts["hot-keys"], opts.overwrites, opts.checkpoints);
    const p = { ...base, hotKeys: opts["hot-keys"], overwrites: opts.overwrites };
    emit("peers.hot", p, "thrpt", opts.overwrites * 1e9 / r.nanos, "ops/s");
    emit("peers.hot", p, "size", r.size, "bytes");
    if (r.sizeV2 !== undefined) {
      emit("peers.hot", p, "size.v2", r.sizeV2, "bytes");
    }
    for (const a of r.at) {
      emit("peers.hot", { ...p, after: a.after }, "size.at", a.v1, "bytes");
    }
  } else {
    throw new Error(`unknown figure '${figure}'`);
  }
  return lines;
}

// ---- output ----

/** As ResultSink: integers exactly, other numbers to 4 significant digits, non-finite as null. */
function formatNumber(v) {
  if (!Number.isFinite(v)) {
    return "null";
  }
  if (Number.isInteger(v) && Math.abs(v) < 1e15) {
    return String(v);
  }
  return v.toPrecision(4);
}

function print(line) {
  const params = Object.entries(line.params)
    .map(([k, v]) => JSON.stringify(k) + ":" + (typeof v === "number" ? formatNumber(v) : JSON.stringify(String(v))))
    .join(",");
  process.stdout.write(`{"name":${JSON.stringify(line.name)},"params":{${params}},"metric":${JSON.stringify(line.metric)},`
    + `"value":${typeof line.value === "number" ? formatNumber(line.value) : "null"},"unit":${JSON.stringify(line.unit)}}\n`);
}

/** The version of a package as installed in node_modules (what package-lock.json pins). */
function installed(name) {
  return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), "utf8")).version;
}

function gc() {
  if (typeof global.gc === "function") {
    global.gc();
  }
}

/** The figures selected by --only, each with the batch sizes it runs. */
function plan(opts, keys) {
  const out = [];
  if (opts.only.includes("build")) {
    out.push({ figure: "build.perop" });
  }
  if (opts.only.includes("batch")) {
    out.push({ figure: "build.batch", batch: keys });
    if (opts.batch < keys) {
      out.push({ figure: "build.batch", batch: opts.batch });
    }
  }
  if (opts.only.includes("hot")) {
    out.push({ figure: "hot" });
  }
  return out;
}

/** A short run of every figure on every system, not printed: lets V8 and the wasm code warm up. */
function warmup(opts, full) {
  const small = workload(Math.min(full.keys.length, 10000));
  const wopts = { ...opts, overwrites: Math.min(opts.overwrites, 100000), checkpoints: 1 };
  for (const system of opts.systems) {
    for (const step of plan(wopts, small.keys.length)) {
      trial(system, step.figure, Math.min(step.batch ?? 1, small.keys.length), small, wopts);
      gc();
    }
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function standalone(opts, w) {
  process.stderr.write(`peers: warm-up\n`);
  warmup(opts, w);
  for (const step of plan(opts, w.keys.length)) {
    for (const system of opts.systems) {
      const runs = [];
      for (let t = 1; t <= opts.trials; t++) {
        gc();
        const lines = trial(system, step.figure, step.batch, w, opts);
        runs.push(lines);
        const thrpt = lines.find((l) => l.metric === "thrpt");
        process.stderr.write(`peers: ${system} ${step.figure}${step.batch ? " batch " + step.batch : ""} `
          + `trial ${t}: ${Math.round(thrpt.value)} ops/s\n`);
      }
      // Sizes are deterministic (fixed identities), so the first trial's stand for all; the
      // throughput is the median over the trials, with min and max beside it.
      for (const l of runs[0]) {
        if (l.metric === "thrpt") {
          const v = runs.map((r) => r.find((x) => x.metric === "thrpt").value);
          const p = { ...l.params, trials: opts.trials };
          print({ ...l, params: p, metric: "thrpt.median", value: median(v) });
          print({ ...l, params: p, metric: "thrpt.min", value: Math.min(...v) });
          print({ ...l, params: p, metric: "thrpt.max", value: Math.max(...v) });
        } else {
          print(l);
        }
      }
    }
  }
}

async function serve(opts, w) {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const raw of rl) {
    if (raw.trim() === "") {
      continue;
    }
    const cmd = JSON.parse(raw);
    if (cmd.cmd === "warmup") {
      warmup(opts, w);
    } else if (cmd.cmd === "versions") {
      print({ name: "peers.node", params: { node: process.version, yjs: installed("yjs"),
        "@automerge/automerge": installed("@automerge/automerge") }, metric: "versions", value: null, unit: "" });
    } else if (cmd.cmd === "fingerprint") {
      const f = fingerprint(w.values);
      print({ name: "peers.workload", params: { keys: w.keys.length }, metric: "value.bytes", value: f.bytes, unit: "bytes" });
      print({ name: "peers.workload", params: { keys: w.keys.length }, metric: "value.fnv1a", value: f.hash, unit: "hash" });
    } else if (cmd.cmd === "trial") {
      gc();
      for (const l of trial(cmd.system, cmd.figure, cmd.batch, w, opts, cmd.trial)) {
        print(l);
      }
      gc();
    } else {
      throw new Error(`unknown command ${raw}`);
    }
    process.stdout.write('{"done":true}\n');
  }
}

// Run only as a script, so that `workload` can be imported (e.g. to print a value for a test).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts = parseArgs(process.argv.slice(2));
  for (const s of opts.systems) {
    if (!(s in SYSTEMS)) {
      throw new Error(`unknown system '${s}'; known: ${Object.keys(SYSTEMS).join(", ")}`);
    }
  }
  const w = workload(opts.keys);
  if (opts.serve) {
    await serve(opts, w);
  } else {
    standalone(opts, w);
  }
}
