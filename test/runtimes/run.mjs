// Runs the contract (contract.mjs) in this runtime (Node, Deno, Bun) and prints one line:
// `CONTRACT <json results>`. Exit code 0 whatever the results: the test reads the line.
import { runContract } from "./contract.mjs";

const results = await runContract();
console.log(`CONTRACT ${JSON.stringify(results)}`);
