// Numbers handler names in one style (issue 26): the handlers of the all-lower-case OrderType values are
// named in lowerCamelCase words (`importTnOrders`), their earlier names (`importtnorders`) are deprecated
// aliases that still run, and giving both for one event is refused. Deliveries go through a real node:http
// receiver on 127.0.0.1, sent by `simulate event` (in process) under the handler names, new and old.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import { Project, SyntaxKind } from "ts-morph";
import { BandwidthConfigError, createBandwidthWebhooks } from "../generated/index.js";
import { numbersEvents } from "../generated/events.js";
import { createBandwidthWorker } from "../generated/queue.js";
import { buildScaffold } from "../generator/cli/scaffold.js";
import { runEventCommand } from "../generator/cli/simulate-event.js";

const ROOT = join(import.meta.dirname, "..");
const USER = "bw-user";
const PASS = "bw-pass";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** OrderType on the wire → [current handler name, earlier (deprecated) handler name]. */
const RENAMED: Record<string, [string, string]> = {
  bulkPortins: ["bulkPortIns", "bulkPortins"],
  importtnorders: ["importTnOrders", "importtnorders"],
  lsrorders: ["lsrOrders", "lsrorders"],
  portins: ["portIns", "portins"],
  portouts: ["portOuts", "portouts"],
  tnoptions: ["tnOptions", "tnoptions"],
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A receiver whose numbers handlers are named by `pick` (new or old), recording what each was called with. */
async function receiver(pick: 0 | 1): Promise<{ base: string; server: Server; calls: string[] }> {
  const calls: string[] = [];
  const numbers: Record<string, (event: { OrderType: string }) => void> = {};
  for (const names of Object.values(RENAMED)) numbers[names[pick]] = (event) => void calls.push(`${names[pick]}:${event.OrderType}`);
  const webhooks = createBandwidthWebhooks({ credentials: [{ username: USER, password: PASS }], logger: quiet, numbers: numbers as never });
  const server = createServer(webhooks.node);
  return { base: await listen(server), server, calls };
}

/** `bw-codegen simulate event <name>` in process, its output kept off the test's own. */
async function simulate(name: string, base: string): Promise<number> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await runEventCommand([name, "--url", `${base}/callbacks/numbers`, "--username", USER, "--password", PASS, "--json"]);
  } finally {
    process.stdout.write = write;
  }
}

describe("numbers handler names", () => {
  it("the event table names each all-lower-case OrderType's handler in words, with its earlier name as a deprecated alias", () => {
    const renamed = Object.fromEntries(
      Object.entries(numbersEvents)
        .filter(([, info]) => info.deprecatedMethods !== undefined)
        .map(([type, info]) => [type, [info.method, ...(info.deprecatedMethods ?? [])]]),
    );
    assert.deepEqual(renamed, RENAMED);
    for (const [type, info] of Object.entries(numbersEvents)) {
      assert.match(info.method, /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$/, `${type}: ${info.method} is lowerCamelCase`);
    }
  });

  describe("a receiver on 127.0.0.1", () => {
    const servers: Server[] = [];
    after(() => {
      for (const server of servers) server.close();
    });

    it("calls handlers given under the new names; simulate event finds each event by its new handler name", async () => {
      const { base, server, calls } = await receiver(0);
      servers.push(server);
      for (const [type, [current]] of Object.entries(RENAMED)) {
        assert.equal(await simulate(current, base), 0, current);
        assert.equal(calls.at(-1), `${current}:${type}`);
      }
      assert.equal(calls.length, Object.keys(RENAMED).length);
    });

    it("still calls handlers given under the earlier (deprecated) names; simulate event finds them by those names too", async () => {
      const { base, server, calls } = await receiver(1);
      servers.push(server);
      for (const [type, [, earlier]] of Object.entries(RENAMED)) {
        assert.equal(await simulate(earlier, base), 0, earlier);
        assert.equal(calls.at(-1), `${earlier}:${type}`);
      }
      assert.equal(calls.length, Object.keys(RENAMED).length);
    });
  });

  describe("both names for one event are refused", () => {
    for (const [current, earlier] of Object.values(RENAMED)) {
      it(`createBandwidthWebhooks: numbers.${current} and numbers.${earlier}`, () => {
        const numbers = { [current]: () => undefined, [earlier]: () => undefined };
        assert.throws(
          () => createBandwidthWebhooks({ credentials: [{ username: USER, password: PASS }], logger: quiet, numbers: numbers as never }),
          (error: unknown) =>
            error instanceof BandwidthConfigError && error.message.includes(`numbers.${earlier} and numbers.${current}`) && error.message.includes(`keep only ${current}`),
        );
      });
    }

    it("createBandwidthWorker, before it connects anywhere", async () => {
      // A client that never connects (no Redis in this tier): if the worker were built, it is closed again.
      const connection = new Redis({ host: "127.0.0.1", port: 1, lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => null });
      let worker: { close(): Promise<void> } | undefined;
      try {
        const numbers = { lsrOrders: () => undefined, lsrorders: () => undefined };
        worker = createBandwidthWorker({ connection, autorun: false, forwardIntake: false, dedupe: false, logger: quiet, numbers });
      } catch (error) {
        assert.ok(error instanceof BandwidthConfigError && /numbers\.lsrorders and numbers\.lsrOrders/.test(error.message), String(error));
        return;
      } finally {
        if (worker === undefined) connection.disconnect();
      }
      await worker.close();
      connection.disconnect();
      assert.fail("createBandwidthWorker accepted both names");
    });

    it("a receiver with a queue refuses an async handler under its earlier name too, naming that name", () => {
      const queue = { enqueue: async () => {} };
      assert.throws(
        () => createBandwidthWebhooks({ credentials: [{ username: USER, password: PASS }], logger: quiet, queue, numbers: { tnoptions: () => undefined } as never }),
        (error: unknown) => error instanceof BandwidthConfigError && /numbers\.tnoptions is handled by the queue's worker/.test(error.message),
      );
    });
  });

  it("scaffold --events accepts the earlier, wire and new names and writes the new handler names", () => {
    const files = buildScaffold({ dir: join(ROOT, ".tmp", "never-written"), framework: "node", events: ["importtnorders", "lsrOrders", "tnoptions", "portins"] });
    const stubs = files.get("src/handlers/numbers.ts") ?? "";
    for (const name of ["importTnOrders", "lsrOrders", "tnOptions", "portIns"]) assert.match(stubs, new RegExp(`^  ${name}\\(event, context\\) \\{$`, "m"));
    for (const name of ["importtnorders", "lsrorders", "tnoptions", "portins"]) assert.doesNotMatch(stubs, new RegExp(`^  ${name}\\(`, "m"));
  });

  describe("compile time (generated/handlers.d.ts, test/types/numbers-handler-names.ts)", () => {
    let project: Project;
    before(() => {
      project = new Project({ tsConfigFilePath: join(ROOT, "tsconfig.json"), skipAddingFilesFromTsConfig: true });
      project.addSourceFileAtPath(join(ROOT, "test", "types", "numbers-handler-names.ts"));
      project.resolveSourceFileDependencies();
    });

    it("each earlier name is a NumbersHandlers method tagged @deprecated naming its replacement; the new names are not deprecated", () => {
      const iface = project.getSourceFileOrThrow(join(ROOT, "generated", "handlers.d.ts")).getInterfaceOrThrow("NumbersHandlers");
      const deprecation = (name: string): string | undefined => {
        const method = iface.getMethod(name);
        assert.ok(method, `NumbersHandlers.${name} exists`);
        const tag = method.getJsDocs().flatMap((doc) => doc.getTags()).find((t) => t.getTagName() === "deprecated");
        return tag?.getCommentText();
      };
      for (const [current, earlier] of Object.values(RENAMED)) {
        assert.equal(deprecation(current), undefined, `${current} is not deprecated`);
        assert.match(deprecation(earlier) ?? "", new RegExp(`Use \`${current}\``), `${earlier} is deprecated in favour of ${current}`);
      }
    });

    it("the type check passes and TypeScript reports exactly the earlier names as deprecated where they are used", () => {
      const file = project.getSourceFileOrThrow(join(ROOT, "test", "types", "numbers-handler-names.ts"));
      const errors = project.getPreEmitDiagnostics().filter((d) => d.getSourceFile()?.getFilePath() === file.getFilePath());
      assert.deepEqual(errors.map((d) => d.getMessageText()), []);
      const service = project.getLanguageService().compilerObject;
      const deprecated = service
        .getSuggestionDiagnostics(file.getFilePath())
        .filter((d) => d.reportsDeprecated)
        .map((d) => file.getDescendantAtPos(d.start!)?.getText());
      assert.deepEqual(deprecated.sort(), Object.values(RENAMED).map(([, earlier]) => earlier).sort());
      // ...and those uses are the reads of `readEarlier`; the same reads under the new names are clean
      const reads = file.getVariableDeclarationOrThrow("readEarlier").getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).map((p) => p.getName());
      assert.deepEqual(reads.sort(), deprecated);
    });
  });
});
