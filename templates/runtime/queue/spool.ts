/**
 * The local durable spool behind `createBullMQQueue({ spoolDir })`: when Redis cannot take a request's
 * events (down, restarting, a deadline passed), the receiver writes them to a file of their own in
 * `spoolDir` (written to a hidden temporary name, fsync'd, renamed, the folder fsync'd), then
 * acknowledges as if queued; a drainer forwards the spooled files to Redis in order once it answers
 * again and removes each file only after Redis confirmed it. Crash-safe at every step: a file not yet
 * renamed was never acknowledged (removed at start); a file forwarded but not yet removed is forwarded
 * again under the same job ids (the dedupe key, else an id given before the first try), which BullMQ
 * and the worker's run-once claim ignore. Bounded (`maxBytes`: past it the write is refused, the
 * receiver answers 503 as without a spool, warned once per episode); a file that does not parse is
 * renamed `*.corrupt` and reported, never forwarded or deleted; symlinks are never followed; files are
 * 0600, the folder 0700. Node only (edge runtimes have no file system: no spool there).
 */

import { randomUUID } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import { join } from "node:path";
import type { WebhookLogger } from "../logger.js";
import type { QueuedEvent } from "./types.js";

/** Options of {@link openSpool}. */
export interface SpoolOptions {
  /** The folder (created 0700 if missing; refused if it is a symlink or not a folder). One per receiver process is simplest. */
  readonly dir: string;
  /** Most bytes of spooled events kept; past it a write is refused (the receiver answers 503). Default 256 MiB. */
  readonly maxBytes?: number;
  /** Where the spool reports (`warn`: spooling, full; `error`: corrupt files, drain failures). */
  readonly logger: Pick<WebhookLogger, "warn" | "error">;
}

/** A spool's forwarding step: stores the events in Redis (resolves once confirmed). */
export type SpoolForward = (events: readonly QueuedEvent[]) => Promise<void>;

/** An open spool. */
export interface Spool {
  /** Writes the events durably; rejects when full or the disk refuses (the receiver then answers 503). */
  append(events: readonly QueuedEvent[]): Promise<void>;
  /** Spooled files not yet forwarded. */
  pending(): number;
  /** Bytes of spooled files not yet forwarded. */
  bytes(): number;
  /** Starts forwarding (now and whenever asked by {@link Spool.kick}, and every `pollMs` while files wait). */
  startDrain(forward: SpoolForward, ready: () => boolean, pollMs?: number): void;
  /** Asks the drainer to run now (after a write, or when Redis is ready again). */
  kick(): void;
  /** Resolves when nothing is spooled (or after `close`). For tests and graceful shutdowns. */
  drained(): Promise<void>;
  close(): Promise<void>;
}

const SUFFIX = ".spool";
const FORMAT = 1;
/** Most events forwarded in one step (several files together). */
const EVENTS_PER_FORWARD = 200;
/** Files read at once within a step (their order is kept). */
const FILES_READ_AT_ONCE = 64;
const OPEN_WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
const OPEN_READ = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0); // a FIFO put there never blocks the drain

interface SpoolFile {
  readonly name: string;
  readonly size: number;
}

/** A file name that sorts in write order: a stamp that never goes back within a process, then a random part. */
function fileName(stamp: number): string {
  return `${String(stamp).padStart(16, "0")}-${randomUUID()}${SUFFIX}`;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0));
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates (0700) or checks the folder: never a symlink, always a folder. */
async function ensureDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const stat = await fs.lstat(dir);
  if (stat.isSymbolicLink() || !stat.isDirectory()) throw new Error(`bw-codegen queue: spoolDir ${dir} is not a folder (symlinks are refused)`);
}

/** The spool line of a request's events: every event has a job id (the dedupe key, or one given here). */
export function spoolRecord(events: readonly QueuedEvent[]): string {
  return `${JSON.stringify({ v: FORMAT, events })}\n`;
}

/** Parses a spooled file, or `undefined` when it is not one of ours (cut, corrupt). */
export function parseSpoolRecord(text: string): QueuedEvent[] | undefined {
  if (!text.endsWith("\n")) return undefined; // cut before its end
  try {
    const record = JSON.parse(text) as { v?: unknown; events?: unknown };
    if (record.v !== FORMAT || !Array.isArray(record.events) || record.events.length === 0) return undefined;
    for (const e of record.events as QueuedEvent[]) {
      if (typeof e !== "object" || e === null || typeof e.family !== "string" || typeof e.eventType !== "string" || typeof e.id !== "string") return undefined;
    }
    return record.events as QueuedEvent[];
  } catch {
    return undefined;
  }
}

/**
 * Opens the spool in `options.dir`: removes temporary files a crash left (never acknowledged), lists the
 * spooled files a previous process left (forwarded by {@link Spool.startDrain}), and sets aside files
 * that do not parse.
 *
 * @example
 * const spool = await openSpool({ dir: ".bw-spool", logger: console });
 */
export async function openSpool(options: SpoolOptions): Promise<Spool> {
  const { dir, logger } = options;
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  await ensureDir(dir);
  const files: SpoolFile[] = [];
  let total = 0;
  let lastStamp = 0;
  for (const name of (await fs.readdir(dir)).sort()) {
    const path = join(dir, name);
    const stat = await fs.lstat(path);
    if (!stat.isFile()) continue; // symlinks, folders: not ours, never followed
    if (name.startsWith(".") && name.endsWith(".tmp")) {
      await fs.unlink(path); // written but never renamed: never acknowledged
      continue;
    }
    if (!name.endsWith(SUFFIX)) continue;
    files.push({ name, size: stat.size });
    total += stat.size;
    lastStamp = Math.max(lastStamp, Number.parseInt(name, 10) || 0);
  }
  let full = false;
  let closed = false;
  let forward: SpoolForward | undefined;
  let ready: () => boolean = () => true;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  let failures = 0;
  let waiters: (() => void)[] = [];

  function settleWaiters(): void {
    if (files.length > 0 && !closed) return;
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  }

  async function append(events: readonly QueuedEvent[]): Promise<void> {
    if (closed) throw new Error("bw-codegen queue: the spool is closed");
    const text = spoolRecord(events);
    const size = Buffer.byteLength(text);
    if (total + size > maxBytes) {
      if (!full) logger.warn(`bw-codegen queue: the spool in ${dir} is full (${maxBytes} bytes): events are answered 503 until Redis takes the spooled ones`);
      full = true;
      throw new Error(`queue unavailable and the spool is full (${maxBytes} bytes)`);
    }
    lastStamp = Math.max(Date.now(), lastStamp + 1);
    const name = fileName(lastStamp);
    const temporary = join(dir, `.${name}.tmp`);
    total += size; // reserved at once, so concurrent writes cannot pass the cap together
    try {
      const handle = await fs.open(temporary, OPEN_WRITE, 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, join(dir, name));
      await fsyncDir(dir);
    } catch (error) {
      total -= size;
      await fs.unlink(temporary).catch(() => undefined);
      throw error;
    }
    if (files.length === 0) logger.warn(`bw-codegen queue: Redis cannot take events; spooling them in ${dir} until it can`);
    files.push({ name, size });
    if (files.length > 1 && files[files.length - 2].name > name) files.sort((a, b) => (a.name < b.name ? -1 : 1));
    kick();
  }

  /** Reads one spooled file, or `undefined` when it is gone (another process sharing the folder forwarded it) or does not parse (set aside as `.corrupt`). */
  async function read(file: SpoolFile): Promise<QueuedEvent[] | undefined> {
    const path = join(dir, file.name);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path, OPEN_READ);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return undefined;
      if (code !== "ELOOP") throw error; // e.g. EACCES: retried, an operator can fix it
      logger.error(`bw-codegen queue: spooled file ${path} was replaced by a symlink; removed, not followed`);
      return undefined; // the unlink after the step removes the link itself
    }
    let text: string | undefined;
    try {
      if ((await handle.stat()).isFile()) text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
    if (text === undefined) {
      logger.error(`bw-codegen queue: ${path} is not a file; skipped`);
      return undefined;
    }
    const events = parseSpoolRecord(text);
    if (events === undefined) {
      await fs.rename(path, `${path}.corrupt`);
      logger.error(`bw-codegen queue: spooled file ${path} is cut or corrupt; set aside as ${file.name}.corrupt (not forwarded)`);
    }
    return events;
  }

  /** Forwards files in order, several at a time, each removed only once Redis confirmed it. */
  async function drain(): Promise<void> {
    while (!closed && files.length > 0 && forward !== undefined && ready()) {
      const step: SpoolFile[] = [];
      const events: QueuedEvent[] = [];
      while (step.length < files.length && events.length < EVENTS_PER_FORWARD) {
        const chunk = files.slice(step.length, step.length + FILES_READ_AT_ONCE);
        const read_ = await Promise.all(chunk.map(read)); // in order: results by position
        for (let i = 0; i < chunk.length; i++) {
          step.push(chunk[i]);
          if (read_[i] !== undefined) events.push(...read_[i]!);
        }
      }
      if (events.length > 0) await forward(events);
      const removed = await Promise.allSettled(
        step.map((file) =>
          fs.unlink(join(dir, file.name)).catch((error: NodeJS.ErrnoException) => {
            // gone already (set aside as corrupt, or another process drained it), or a folder put in its place (not ours)
            if (error.code !== "ENOENT" && error.code !== "EISDIR" && error.code !== "EPERM") throw error;
          }),
        ),
      );
      const failed = removed.find((r): r is PromiseRejectedResult => r.status === "rejected");
      for (const file of step) total -= file.size;
      files.splice(0, step.length); // the step is the front of the list (appends go to its end)
      if (failed !== undefined) {
        const kept = step.filter((_, i) => removed[i].status === "rejected"); // still there: forwarded again, same job ids
        for (const file of kept) total += file.size;
        files.unshift(...kept);
        throw failed.reason;
      }
      if (full && total < maxBytes / 2) full = false;
      failures = 0;
    }
    settleWaiters();
  }

  function kick(): void {
    if (forward === undefined || closed) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = drain()
      .catch((error: unknown) => {
        if (failures++ === 0) logger.warn(`bw-codegen queue: forwarding the spool in ${dir} failed, retrying: ${(error as Error).message}`);
      })
      .finally(() => {
        running = undefined;
        if (again && failures === 0) {
          again = false;
          kick();
        }
        again = false;
      });
  }

  return {
    append,
    pending: () => files.length,
    bytes: () => total,
    startDrain(forwardTo, isReady, pollMs = 1000) {
      forward = forwardTo;
      ready = isReady;
      timer = setInterval(() => {
        if (files.length > 0) kick();
      }, pollMs);
      timer.unref?.();
      kick();
    },
    kick,
    drained: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        settleWaiters();
      }),
    async close() {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await running;
      settleWaiters();
    },
  };
}
