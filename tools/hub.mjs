#!/usr/bin/env node
// `npm run hub -- [--port 8000] [--config FILE] [--state DIR] [--timeout 90]`: the course for a
// class on JupyterHub, on 127.0.0.1:PORT (put a TLS-terminating web server in
// front of it to serve a class over the network).
//
// 1. Set-up as for the other commands, plus Debian's jupyterhub (and npm's
//    configurable-http-proxy, a dev dependency); the library is built.
// 2. The tslab kernel is installed system-wide (/usr/local/share/jupyter/kernels/
//    tslab/kernel.json, needs root), pointing at this checkout's node and tslab,
//    so that every student's server finds it.
// 3. JupyterHub runs with tools/jupyterhub_config.py (Unix accounts through PAM,
//    one server per student with their own copy of the chapters); `--config FILE`
//    adds a configuration file loaded after it (an OAuth authenticator, limits).
//    Its state (database, cookie secret) lives in build/hub/ or `--state DIR`.
// It reports when the hub answers, and stops it with a message when it does not
// within --timeout seconds. Ctrl-C (SIGINT) or SIGTERM stops the hub, every
// student's server and the proxy.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildLibrary } from "./build.mjs";
import { root, setup, stop } from "./setup.mjs";

const SYSTEM_KERNELS = "/usr/local/share/jupyter/kernels";

function fail(message) {
  console.error(`hub: ${message}`);
  process.exit(1);
}

/** Resolves with `port` when 127.0.0.1:port is free (0: one the OS picks); fails with a clear message when in use. */
function freePort(port, what) {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", (error) =>
      fail(
        error.code === "EADDRINUSE"
          ? `port ${port} on 127.0.0.1 is in use (another hub or server?), so ${what} cannot start there; stop it or choose another port with --port N`
          : `port ${port} on 127.0.0.1: ${error.message}`,
      ),
    );
    server.listen(port, "127.0.0.1", () => {
      const chosen = server.address().port;
      server.close(() => done(chosen));
    });
  });
}

/** The tslab kernel spec for every user of this machine, run by this node with this checkout's tslab. */
function installKernelSystemWide() {
  const tslab = join(root, "node_modules", "tslab", "bin", "tslab");
  if (!existsSync(tslab)) stop("tslab in node_modules", `cd ${root} && npm install`);
  if (process.getuid?.() !== 0) {
    stop(
      "the system-wide tslab kernel (installing it needs root)",
      `sudo node ${join(root, "tools", "hub.mjs")}   (the hub itself runs as root to start each student's server as that student)`,
    );
  }
  const dir = join(SYSTEM_KERNELS, "tslab");
  mkdirSync(dir, { recursive: true });
  const spec = {
    // kernel-watch.cjs ends a kernel whose student's server was killed before it could stop it.
    argv: [
      process.execPath,
      "--require",
      join(root, "tools", "kernel-watch.cjs"),
      tslab,
      "kernel",
      "--config-path",
      "{connection_file}",
    ],
    display_name: "TypeScript",
    language: "typescript",
  };
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(spec, null, 1));
  console.log(`hub: tslab kernel installed system-wide in ${dir}`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8000" },
      config: { type: "string" },
      state: { type: "string" },
      timeout: { type: "string", default: "90" },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port must be a port number, got ${values.port}`);
  if (values.config && !existsSync(values.config)) fail(`--config ${values.config}: no such file`);
  await freePort(port, "the hub");
  setup({ frontEnds: true });
  buildLibrary();
  installKernelSystemWide();
  const state = resolve(values.state ?? join(root, "build", "hub"));
  mkdirSync(state, { recursive: true });
  const env = {
    ...process.env,
    L0_COURSE: root,
    L0_HUB_PORT: String(port),
    L0_HUB_API_PORT: String(await freePort(0, "the hub's API")),
    L0_HUB_PROXY_API_PORT: String(await freePort(0, "the proxy's API")),
    L0_HUB_STATE: state,
    ...(values.config ? { L0_HUB_CONFIG: resolve(values.config) } : {}),
  };
  const hub = spawn("jupyterhub", ["-f", join(root, "tools", "jupyterhub_config.py")], {
    cwd: state,
    env,
    stdio: "inherit",
  });
  hub.on("error", (error) => fail(`could not start jupyterhub: ${error.message}`));
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => hub.kill(signal));
  console.log(`hub: starting JupyterHub on http://127.0.0.1:${port}/ (state in ${state}); Ctrl-C stops it`);
  hub.on("exit", (code, signal) => process.exit(signal ? 0 : (code ?? 1)));
  await waitForHub(hub, port, Number(values.timeout));
}

/** Waits until the hub answers on its API; stops it with a clear message when it does not within `seconds`. */
async function waitForHub(hub, port, seconds) {
  const url = `http://127.0.0.1:${port}/hub/api`;
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (hub.exitCode !== null) return;
    const answer = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    if (answer?.ok) {
      console.log(`hub: ready on http://127.0.0.1:${port}/`);
      return;
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  console.error(`hub: JupyterHub did not answer on ${url} within ${seconds} s (its log is above); stopping it`);
  hub.kill("SIGTERM");
  process.exitCode = 1;
}

if (process.argv[1] === new URL(import.meta.url).pathname) await main();
