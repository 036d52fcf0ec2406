// The contract as a Worker for workerd: `/run` runs every case and answers the results as JSON; a
// request for a socket path goes to the stream server the socket case set up (sockets-web.mjs); any
// other request (the test's readiness probe) is answered at once, so probes never run the contract. The socket case connects back to this same workerd on 127.0.0.1 (`PORT` binding; the config
// lets the Worker reach the loopback network).
import { runContract } from "./contract.mjs";
import { webSocketHost, workerdSockets } from "./sockets-web.mjs";

export default {
  async fetch(request, env) {
    workerdSockets.port = env.PORT;
    const path = new URL(request.url).pathname;
    if (path.startsWith("/sockets/")) return workerdSockets.adapter !== undefined ? workerdSockets.adapter.fetch(request) : new Response("no socket server\n", { status: 404 });
    if (path === "/run") return Response.json(await runContract(webSocketHost("workerd")));
    return new Response("ready\n");
  },
};
