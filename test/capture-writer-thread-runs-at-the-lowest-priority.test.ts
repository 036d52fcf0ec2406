// The capture's writer thread (redaction and writing, off the request's path) ran at the process's own
// priority, so on a small machine it competed with the receiver's thread for the cores. On Linux it now
// lowers its own scheduling priority to the lowest (nice 19, for that thread alone: the receiver's thread and
// the rest of the process keep theirs), and `lowPriority: false` keeps the process's priority. While a
// `flush()` waits for it, and from `close()` on (the last deliveries to write before a shutdown), it gets the
// process's priority back where the system allows raising a priority (privileged), and after a flush it is at
// the lowest again. Checked from /proc/self/task/<tid>/stat (the nice field of each
// thread); skipped where /proc is absent.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { getPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Worker } from "node:worker_threads";
import { createCapture } from "../generated/capture.js";

const root = mkdtempSync(join(tmpdir(), "bw-capture-priority-"));
after(() => rmSync(root, { recursive: true, force: true }));
const noProc = existsSync("/proc/thread-self") ? false : "no /proc/thread-self (not Linux)";

/** Each thread of this process: its id and niceness (field 19 of /proc/<pid>/task/<tid>/stat, the 17th after the name). */
function threads(): Map<string, number> {
  const nice = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      nice.set(tid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]));
    } catch {
      // a thread that ended meanwhile
    }
  }
  return nice;
}

/** The niceness of the threads a new capture started (its writer thread), and of the threads there before, after one flush. */
async function startedThreads(options: { lowPriority?: boolean }, dir: string): Promise<{ added: number[]; before: number[] }> {
  const old = threads();
  const capture = createCapture({ dir: join(root, dir), ...options });
  try {
    await capture.flush(); // the writer thread is up and has answered
    const now = threads();
    return {
      added: [...now].filter(([tid]) => !old.has(tid)).map(([, nice]) => nice),
      before: [...now].filter(([tid]) => old.has(tid)).map(([, nice]) => nice),
    };
  } finally {
    await capture.close();
  }
}

test("the writer thread runs at nice 19 and the receiver's threads keep their priority", { skip: noProc }, async () => {
  const own = getPriority();
  assert.ok(own < 19, "this test needs a process not already at the lowest priority");
  const { added, before } = await startedThreads({}, "low");
  assert.ok(added.length >= 1, "the capture started its writer thread");
  assert.ok(added.includes(19), `a new thread at nice 19 (new threads' niceness: ${added.join(", ")})`);
  assert.deepEqual([...new Set(before)], [own], "the threads that were there keep the process's niceness");
  assert.equal(getPriority(), own, "the receiver's thread keeps its priority");
});

test("lowPriority: false leaves the writer thread at the process's priority", { skip: noProc }, async () => {
  const own = getPriority();
  const { added } = await startedThreads({ lowPriority: false }, "normal");
  assert.ok(added.length >= 1, "the capture started its writer thread");
  assert.deepEqual([...new Set(added)], [own]);
});

/** Whether this system lets a thread that lowered its priority raise it again (root, CAP_SYS_NICE, RLIMIT_NICE). */
async function mayRaise(): Promise<boolean> {
  const source = `const { parentPort } = require("node:worker_threads"); const { setPriority, getPriority } = require("node:os");
    const self = require("node:fs").readlinkSync("/proc/thread-self"); const tid = Number(self.slice(self.lastIndexOf("/") + 1));
    setPriority(tid, 19); let raised = true; try { setPriority(tid, ${getPriority()}); } catch { raised = false; } parentPort.postMessage(raised);`;
  const worker = new Worker(source, { eval: true });
  try {
    return await new Promise<boolean>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  } finally {
    await worker.terminate();
  }
}

test("while a flush waits and from close() on, the writer thread has the process's priority (where raising one is allowed)", { skip: noProc }, async (t) => {
  if (!(await mayRaise())) return t.skip("this system does not let a thread raise its priority again");
  const own = getPriority();
  const old = threads();
  const capture = createCapture({ dir: join(root, "close") });
  await capture.flush();
  const writer = [...threads()].find(([tid, nice]) => !old.has(tid) && nice === 19);
  assert.ok(writer !== undefined, "the writer thread runs at nice 19 first");
  const flushing = capture.flush(); // what flush() does at once, before it waits for the writer thread
  const whileFlushing = threads().get(writer[0]);
  await flushing;
  const afterFlush = threads().get(writer[0]);
  const closing = capture.close();
  const whileClosing = threads().get(writer[0]);
  await closing;
  assert.deepEqual({ whileFlushing, afterFlush, whileClosing }, { whileFlushing: own, afterFlush: 19, whileClosing: own });
});
