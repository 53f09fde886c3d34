# Tarsier registry CORS proxy: the Cloudflare Worker recipe (cloudflare-worker.js,
# which imports rules.mjs) served by workerd, the runtime Cloudflare Workers run on.
# The tests run the Worker this way; it also serves the Worker on your own machine:
#
#   ALLOW=localhost:5000 npx workerd serve proxy/workerd.capnp [--socket-addr http=127.0.0.1:8787]
#
# Both modules are embedded as they are in the repository: nothing is bundled or copied.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "proxy", worker = .proxyWorker),
    # The Worker's allowlist decides where requests go (as `--allow` does for the Node
    # proxy), so the network itself may reach any address, loopback and private ones included.
    (name = "internet", network = (allow = ["public", "private"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "proxy")],
);

const proxyWorker :Workerd.Worker = (
  modules = [
    (name = "cloudflare-worker.js", esModule = embed "cloudflare-worker.js"),
    (name = "rules.mjs", esModule = embed "rules.mjs"),
  ],
  compatibilityDate = "2025-01-01",
  # Extra registries, comma-separated host[:port], as the deployed Worker's ALLOW variable.
  bindings = [(name = "ALLOW", fromEnvironment = "ALLOW")],
  globalOutbound = "internet",
);
