// tools/kernel-watch.cjs's guard on tslab's sockets, against the zeromq that tslab
// loads: a receive made while its socket is still binding fails with EBUSY in
// zeromq, and killed a kernel before its first cell when tslab's read loop made
// one; under the guard it waits for the bind and then receives.
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";

const root = resolve(__dirname, "..", "..", "..");
const tslab = dirname(require.resolve("tslab/package.json", { paths: [root] }));

type ZmqSocket = {
  bind(address: string): Promise<void>;
  connect(address: string): void;
  receive(): Promise<Buffer[]>;
  send(message: string): Promise<void>;
  close(): void;
  lastEndpoint: string | null;
};
type Zmq = { Router: new () => ZmqSocket; Dealer: new () => ZmqSocket };

test("a receive made while its socket binds waits for the bind under the kernel's guard, and fails without it", async () => {
  const zmq: Zmq = require(require.resolve("zeromq", { paths: [tslab] }));
  const bare = new zmq.Router();
  const bareBinding = bare.bind("tcp://127.0.0.1:*");
  // zeromq throws at the call (a rejection, once inside tslab's async read loop).
  await assert.rejects(async () => bare.receive(), { code: "EBUSY" }, "zeromq refuses a receive during a bind");
  await bareBinding;
  bare.close();

  const { guardSockets } = require(join(root, "tools", "kernel-watch.cjs"));
  guardSockets(tslab);
  const router = new zmq.Router();
  const binding = router.bind("tcp://127.0.0.1:*");
  const receiving = router.receive(); // as tslab's read loop does, before the bind is done
  await binding;
  const dealer = new zmq.Dealer();
  dealer.connect(router.lastEndpoint as string);
  await dealer.send("kernel_info_request");
  const [, body] = await receiving;
  assert.equal(body.toString(), "kernel_info_request");
  dealer.close();
  router.close();
});
