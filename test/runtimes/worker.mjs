// The contract as a Worker for workerd: any request runs every case and answers the results as JSON.
import { runContract } from "./contract.mjs";

export default {
  async fetch() {
    return Response.json(await runContract());
  },
};
