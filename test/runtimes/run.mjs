// Runs the contract (contract.mjs) in this runtime (Node, Deno, Bun) and prints one line:
// `CONTRACT <json results>`. Exit code 0 whatever the results: the test reads the line. The socket host
// is the runtime's own: the web-standard adapter on Deno and Bun, the `ws` adapter on Node.
import { runContract } from "./contract.mjs";

const g = globalThis;
const host = g.Deno !== undefined || g.Bun !== undefined ? (await import("./sockets-web.mjs")).webSocketHost(g.Deno !== undefined ? "deno" : "bun") : (await import("./sockets-node.mjs")).nodeSocketHost();
const results = await runContract(host);
console.log(`CONTRACT ${JSON.stringify(results)}`);
