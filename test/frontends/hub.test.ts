/**
 * The classroom hub: `npm run hub`'s command (tools/hub.mjs) starts JupyterHub on
 * 127.0.0.1 with test students (test/frontends/jupyterhub_test_config.py: dummy
 * authenticator, servers as the hub's user). Three students at once are created
 * through the hub's REST API, get their servers and tokens, open chapter 01 in
 * their own copy (a session with the system-wide tslab kernel) and execute its
 * first code cells (through a figure and a tfjs gradient) over the kernel's
 * websocket: every reply must be `ok` with nothing
 * uncaught on stderr, and each kernel must run in that student's own folder.
 * Then the hub is stopped with SIGTERM and nothing it started may be left.
 * Also: the command refuses a port in use with a clear message.
 */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import WebSocket from "ws";
import { freePort, requireProgram, startServer, stopServer, waitUntilUp } from "./servers";

const root = resolve(__dirname, "..", "..", "..");
const hubCommand = join(root, "tools", "hub.mjs");
const testConfig = join(root, "test", "frontends", "jupyterhub_test_config.py");
const CHAPTER = "01-why-l0-has-no-gradient.ipynb";
const STUDENTS = ["ada", "blaise", "carl"];

interface Reply {
  status: string;
  stdout: string;
  stderr: string;
}

/** A minimal Jupyter kernel client over the server's websocket (messaging protocol 5.3). */
class KernelClient {
  private pending = new Map<
    string,
    { reply?: string; idle: boolean; out: string; err: string; done: (r: Reply) => void }
  >();
  private session = randomUUID();
  private infoWaiters = new Map<string, () => void>();
  private constructor(private ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data));
      if (msg.channel === "shell" && msg.header.msg_type === "kernel_info_reply") {
        this.infoWaiters.get(msg.parent_header?.msg_id)?.();
      }
      const entry = this.pending.get(msg.parent_header?.msg_id);
      if (!entry) return;
      if (msg.channel === "shell" && msg.header.msg_type === "execute_reply") entry.reply = msg.content.status;
      if (msg.channel === "iopub" && msg.header.msg_type === "stream") {
        if (msg.content.name === "stderr") entry.err += msg.content.text;
        else entry.out += msg.content.text;
      }
      if (msg.channel === "iopub" && msg.header.msg_type === "status" && msg.content.execution_state === "idle") {
        entry.idle = true;
      }
      if (entry.reply !== undefined && entry.idle) {
        this.pending.delete(msg.parent_header.msg_id);
        entry.done({ status: entry.reply, stdout: entry.out, stderr: entry.err });
      }
    });
  }

  static open(url: string, token: string): Promise<KernelClient> {
    const ws = new WebSocket(url, { headers: { Authorization: `token ${token}` } });
    return new Promise((done, fail) => {
      ws.once("open", () => done(new KernelClient(ws)));
      ws.once("error", fail);
    });
  }

  /**
   * Waits until the kernel answers a kernel_info_request, asking again every 2 s, as
   * JupyterLab does before a first cell, so that a kernel still starting under load is
   * told apart from one that takes a cell and never answers.
   */
  async ready(seconds: number): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      const msgId = randomUUID();
      const answered = new Promise<boolean>((done) => {
        const timer = setTimeout(() => done(false), 2000);
        this.infoWaiters.set(msgId, () => {
          clearTimeout(timer);
          done(true);
        });
      });
      this.send(msgId, "kernel_info_request", {});
      const ok = await answered;
      this.infoWaiters.delete(msgId);
      if (ok) return;
    }
    throw new Error(`the kernel answered no kernel_info_request within ${seconds} s`);
  }

  /** Sends a request of type `msgType` on the shell channel. */
  private send(msgId: string, msgType: string, content: object): void {
    const header = { msg_id: msgId, session: this.session, username: "test", msg_type: msgType, version: "5.3" };
    this.ws.send(JSON.stringify({ header, parent_header: {}, metadata: {}, content, channel: "shell", buffers: [] }));
  }

  execute(code: string, seconds: number): Promise<Reply> {
    const msgId = randomUUID();
    const content = {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    };
    return new Promise((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no reply within ${seconds} s to: ${code.slice(0, 60)}`)),
        seconds * 1000,
      );
      this.pending.set(msgId, {
        idle: false,
        out: "",
        err: "",
        done: (reply) => {
          clearTimeout(timer);
          done(reply);
        },
      });
      this.send(msgId, "execute_request", content);
    });
  }

  close(): void {
    this.ws.close();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the REST answers of JupyterHub and the Notebook server, read field by field
type Json = any;

async function api(
  url: string,
  token: string,
  method = "GET",
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const response = await fetch(url, {
    method,
    headers: { Authorization: `token ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/**
 * The chapter's first code cells, through its first figure and a gradient through
 * tfjs: what shows that a student's kernel finds the library, tfjs and the display
 * from their copy. The course test runs every cell of every chapter; here three
 * whole runs of the chapter would only add CPU time.
 */
const CELLS = 7;
const codeCells = (): string[] => {
  const cells: string[] = JSON.parse(readFileSync(join(root, "notebooks", CHAPTER), "utf8"))
    .cells.filter((c: { cell_type: string }) => c.cell_type === "code")
    .map((c: { source: string | string[] }) => [c.source].flat().join(""))
    .slice(0, CELLS);
  for (const call of ["showFigure(", "tf.grad("]) {
    assert.ok(cells.join("\n").includes(call), `the first ${CELLS} code cells of ${CHAPTER} no longer call ${call}`);
  }
  return cells;
};

/** One student: account, server, token, a kernel on their copy of the chapter, its first CELLS code cells executed. */
async function student(origin: string, serviceToken: string, name: string, homes: string): Promise<string[]> {
  const problems: string[] = [];
  const at = (message: string) => problems.push(`${name}: ${message}`);
  const hub = `${origin}/hub/api/users/${name}`;
  assert.equal((await api(hub, serviceToken, "POST")).status, 201, `${name}: creating the user`);
  const spawn = await api(`${hub}/server`, serviceToken, "POST");
  assert.ok([201, 202].includes(spawn.status), `${name}: starting the server answered ${spawn.status}`);
  const deadline = Date.now() + 180_000;
  while (!(await api(hub, serviceToken)).json?.servers?.[""]?.ready) {
    if (Date.now() > deadline) throw new Error(`${name}: the server was not ready within 180 s`);
    await new Promise((done) => setTimeout(done, 500));
  }
  const { json: issued } = await api(`${hub}/tokens`, serviceToken, "POST", { note: "hub test" });
  const token: string = issued.token;
  const server = `${origin}/user/${name}/api`;
  const listing = await api(`${server}/contents/notebooks`, token);
  const copies = (listing.json?.content ?? []).map((e: { name: string }) => e.name).sort();
  const chapters = readdirSync(join(root, "notebooks"))
    .filter((n) => n.endsWith(".ipynb"))
    .sort();
  if (JSON.stringify(copies) !== JSON.stringify(chapters)) at(`their copy holds ${copies.join(", ")}`);
  const session = await api(`${server}/sessions`, token, "POST", {
    path: `notebooks/${CHAPTER}`,
    type: "notebook",
    name: CHAPTER,
    kernel: { name: "tslab" },
  });
  if (session.status !== 201) throw new Error(`${name}: opening a session answered ${session.status}`);
  const ws = `${origin.replace(/^http/, "ws")}/user/${name}/api/kernels/${session.json.kernel.id}/channels`;
  const kernel = await KernelClient.open(ws, token);
  try {
    await kernel.ready(120);
    const cwd = await kernel.execute("console.log(process.cwd())", 120);
    const own = join(homes, name, "l0-course", "notebooks");
    if (cwd.stdout.trim() !== own) at(`the kernel runs in ${cwd.stdout.trim()}, not in their copy ${own}`);
    for (const [i, code] of codeCells().entries()) {
      const reply = await kernel.execute(code, 180);
      if (reply.status !== "ok") at(`cell ${i + 1}: ${reply.status}: ${reply.stderr.slice(0, 500)}`);
      else if (/Uncaught|Unhandled/.test(reply.stderr)) at(`cell ${i + 1}: ${reply.stderr.slice(0, 500)}`);
    }
  } finally {
    kernel.close();
  }
  return problems;
}

test("three students run the start of chapter 01 through the classroom hub at once; the hub stops cleanly", async () => {
  requireProgram("jupyterhub", "jupyterhub");
  const work = mkdtempSync(join(tmpdir(), "l0-hub-test-"));
  const homes = join(work, "homes");
  const token = randomBytes(16).toString("hex");
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const hub = startServer(
    process.execPath,
    [hubCommand, "--port", String(port), "--config", testConfig, "--state", join(work, "state")],
    { cwd: root, env: { ...process.env, L0_HUB_TEST_HOMES: homes, L0_HUB_TEST_TOKEN: token } },
  );
  let problems: string[] = [];
  let left: string[] = [];
  try {
    await waitUntilUp(hub, `${origin}/hub/api`, "the hub (tools/hub.mjs)", 120);
    problems = (await Promise.all(STUDENTS.map((name) => student(origin, token, name, homes)))).flat();
  } catch (error) {
    throw new Error(`${(error as Error).message}\nthe hub's log, last lines:\n${hub.log().slice(-3000)}`);
  } finally {
    left = await stopServer(hub, 30);
    rmSync(work, { recursive: true, force: true });
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(left, [], "processes left running after the hub was stopped");
  assert.equal(hub.child.exitCode, 0, `the hub command's exit status after SIGTERM\n${hub.log().slice(-2000)}`);
});

test("the hub command refuses a port in use, naming it", async () => {
  const blocker = createServer();
  const port = await new Promise<number>((done) =>
    blocker.listen(0, "127.0.0.1", () => done((blocker.address() as { port: number }).port)),
  );
  try {
    const hub = startServer(process.execPath, [hubCommand, "--port", String(port)], { cwd: root });
    const status = await new Promise<number | null>((done) => hub.child.on("exit", (code) => done(code)));
    assert.equal(status, 1);
    assert.match(hub.log(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
  } finally {
    blocker.close();
  }
});
