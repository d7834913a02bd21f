// tslab 1.0.22 on zeromq 6 loses every output after about 500 messages sent in a
// row from one cell, and dies when the lost send is its own status message; and
// its output socket drops messages once 1,000 wait for a frontend that has not
// read them yet (see makeKernelSendsSynchronous in src/display/jupyter.ts). With
// `l0-hard-concrete/notebook` imported, a cell that prints 1,500 lines and one that updates a
// display 1,500 times must deliver everything. (Without the import the same
// notebook keeps about 506 of the lines: checked by hand when the fix was
// written.) The second test drives tslab's zeromq directly with a frontend too
// slow to keep up, which no machine's load can make pass by luck.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
// What a tslab kernel has loaded when a notebook imports the library.
import "tslab/dist/jupyter";
import * as zmq from "zeromq";

const root = resolve(__dirname, "..", "..", "..");
const python = process.env.L0_PYTHON || "/usr/bin/python3";

test("a cell may send thousands of outputs: none is lost and the kernel survives", () => {
  const out = mkdtempSync(join(tmpdir(), "l0-outputs-"));
  const notebook = join(root, "test", "fixtures", "outputs", "many-outputs.ipynb");
  const result = spawnSync(python, [join(root, "tools", "run_notebooks.py"), "--out", out, notebook], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  const cells: { outputs?: { text?: string[]; data?: Record<string, string[]> }[] }[] = JSON.parse(
    readFileSync(join(out, "many-outputs.ipynb"), "utf8"),
  ).cells;
  const lines = (cells[2].outputs ?? []).flatMap((o) => (o.text ?? []).join("").split("\n").filter(Boolean));
  assert.equal(lines.length, 1500);
  assert.equal(lines[1499], "line 1500");
  const progress = cells[3].outputs ?? [];
  assert.equal(progress.length, 1);
  assert.equal(progress[0].data?.["text/plain"].join(""), "updates: done 1500/1500 (100%) i=1500");
  rmSync(out, { recursive: true });
});

/**
 * The numbers of the messages of `topic` that arrive before its end mark (messages
 * on one connection keep their order). Waits up to a minute for each message: a
 * loaded machine may pause a while, and a dropped end mark makes the test fail
 * after that minute.
 */
async function receiveAll(subscriber: zmq.Subscriber, topic: string): Promise<number[]> {
  const received: number[] = [];
  subscriber.receiveTimeout = 60_000;
  for (;;) {
    let frames: Buffer[];
    try {
      frames = await subscriber.receive();
    } catch {
      return received; // a minute without a message: the rest, end mark included, was dropped
    }
    const [name, number] = frames.map(String);
    if (name === `${topic} end`) return received;
    if (name === topic) received.push(Number(number));
  }
}

/** Subscribes a frontend that reads slowly (a 100-message queue, a 64 KiB socket buffer) and waits until it is connected. */
async function slowFrontend(publisher: zmq.Publisher): Promise<zmq.Subscriber> {
  const subscriber = new zmq.Subscriber({ receiveHighWaterMark: 100, receiveBufferSize: 65536 });
  subscriber.connect(publisher.lastEndpoint!);
  subscriber.subscribe();
  subscriber.receiveTimeout = 50;
  for (;;) {
    await publisher.send(["hello", "0"]);
    try {
      if ((await subscriber.receive())[0].toString() === "hello") return subscriber;
    } catch {
      // not connected yet
    }
  }
}

test("the kernel's output socket queues a burst for a slow frontend instead of dropping it", async () => {
  require(join(root, "dist", "notebook.js")); // installs the fix, after zeromq is loaded
  const publisher = new zmq.Publisher();
  await publisher.bind("tcp://127.0.0.1:0");
  const burst = 20000; // 20 MB: far past zeromq's 1,000 messages and the kernel's TCP send buffer (4 MB at most)
  const payload = Buffer.alloc(1000, "x");
  const sendBurst = (topic: string) => {
    for (let i = 0; i < burst; i++) void publisher.send([topic, String(i), payload]); // as tslab: never awaited
    void publisher.send([`${topic} end`, ""]);
  };
  const everyMessage = Array.from({ length: burst }, (_, i) => i);
  const early = await slowFrontend(publisher);
  try {
    sendBurst("first");
    assert.deepEqual(await receiveAll(early, "first"), everyMessage);
    // A frontend that connects once the kernel is running (a reloaded page) is covered too.
    const late = await slowFrontend(publisher);
    try {
      sendBurst("second");
      assert.deepEqual(await receiveAll(early, "second"), everyMessage);
      assert.deepEqual(await receiveAll(late, "second"), everyMessage);
    } finally {
      late.close();
    }
  } finally {
    early.close();
    publisher.close();
  }
});
