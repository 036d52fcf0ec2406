// The contract as a Worker for workerd: a request for a socket path goes to the stream server the
// socket case set up (sockets-web.mjs); any other request runs every case and answers the results as
// JSON. The socket case connects back to this same workerd on 127.0.0.1 (`PORT` binding; the config
// lets the Worker reach the loopback network).
import { runContract } from "./contract.mjs";
import { webSocketHost, workerdSockets } from "./sockets-web.mjs";

export default {
  async fetch(request, env) {
    workerdSockets.port = env.PORT;
    const path = new URL(request.url).pathname;
    if (path.startsWith("/sockets/")) return workerdSockets.adapter !== undefined ? workerdSockets.adapter.fetch(request) : new Response("no socket server\n", { status: 404 });
    return Response.json(await runContract(webSocketHost("workerd")));
  },
};
