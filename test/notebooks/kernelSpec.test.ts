// The user-level `tslab` kernel spec that the set-up registers: a launcher
// (tools/tslab-kernel.sh, copied into the spec's folder) that runs the tslab of
// the project the notebook is in. No clone's path is written into the spec, so
// setting up a second clone and deleting it leaves the first one's notebooks
// with a kernel that starts.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const root = resolve(__dirname, "..", "..", "..");
const python = process.env.L0_PYTHON || "/usr/bin/python3";

/** Writes an executable script that prints `name` and its arguments, standing in for a tslab. */
function fakeTslab(file: string, name: string): void {
  mkdirSync(resolve(file, ".."), { recursive: true });
  writeFileSync(file, `#!/bin/sh\necho ${name} "$@"\n`);
  chmodSync(file, 0o755);
}

test("the launcher runs the nearest node_modules/.bin/tslab above the kernel's folder, else tslab on PATH", () => {
  const dir = mkdtempSync(join(tmpdir(), "l0-launcher-"));
  // A project inside a folder that has node_modules of its own: the nearer one wins.
  fakeTslab(join(dir, "outer", "node_modules", ".bin", "tslab"), "outer");
  fakeTslab(join(dir, "outer", "project", "node_modules", ".bin", "tslab"), "inner");
  fakeTslab(join(dir, "global", "tslab"), "global");
  const notebooks = join(dir, "outer", "project", "notebooks", "part");
  const elsewhere = join(dir, "elsewhere");
  for (const folder of [notebooks, elsewhere, join(dir, "empty")]) mkdirSync(folder, { recursive: true });
  const launch = (cwd: string, path: string) =>
    spawnSync("/bin/sh", [join(root, "tools", "tslab-kernel.sh"), "kernel", "--config-path", "c.json"], {
      cwd,
      encoding: "utf8",
      env: { ...process.env, PATH: path },
    });
  const global = join(dir, "global");
  assert.equal(launch(notebooks, global).stdout, "inner kernel --config-path c.json\n");
  assert.equal(launch(elsewhere, global).stdout, "global kernel --config-path c.json\n");
  const none = launch(elsewhere, join(dir, "empty"));
  assert.equal(none.status, 1);
  assert.match(
    none.stderr,
    /no node_modules\/\.bin\/tslab in .*elsewhere or any folder above it, and no tslab on PATH/,
  );
  rmSync(dir, { recursive: true });
});

test("the launcher's kernel ends within seconds once the process that started it is killed", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "l0-launcher-"));
  // A tslab stand-in that reports its process id and the NODE_OPTIONS it sees, then runs on.
  const tslab = join(dir, "node_modules", ".bin", "tslab");
  mkdirSync(resolve(tslab, ".."), { recursive: true });
  writeFileSync(
    tslab,
    `#!${process.execPath}\nconsole.log(process.pid, process.env.NODE_OPTIONS ?? "none");\nsetInterval(() => {}, 1000);\n`,
  );
  chmodSync(tslab, 0o755);
  // A Jupyter server stand-in: a shell that starts the launcher and waits.
  const server = spawn("/bin/sh", ["-c", `/bin/sh ${join(root, "tools", "tslab-kernel.sh")} kernel & wait`], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=200" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(server.stdout, "data")).map(String);
  const [pid, options] = line.trim().split(/ (.*)/);
  const alive = () => {
    try {
      process.kill(Number(pid), 0);
      return true;
    } catch {
      return false;
    }
  };
  t.after(() => {
    server.kill("SIGKILL");
    if (alive()) process.kill(Number(pid), "SIGKILL");
    rmSync(dir, { recursive: true });
  });
  // The watch took its own flag out of the kernel's environment (a notebook's processes do not inherit it).
  assert.equal(options, "--max-old-space-size=200");
  server.kill("SIGKILL");
  const deadline = Date.now() + 5000;
  while (alive() && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
  assert.equal(alive(), false, "the kernel was still running 5 s after its server was killed");
});

test("setting up a second clone and deleting it leaves the first clone's notebooks a kernel that starts", () => {
  const data = mkdtempSync(join(tmpdir(), "l0-jupyter-data-")); // JUPYTER_DATA_DIR: the user's spec stays untouched
  const env = { ...process.env, JUPYTER_DATA_DIR: data };
  const spec = join(data, "kernels", "tslab", "kernel.json");
  // The user's own tslab spec, which the set-up replaces with the launcher.
  mkdirSync(resolve(spec, ".."), { recursive: true });
  writeFileSync(spec, JSON.stringify({ argv: ["/opt/mine/tslab", "kernel", "--config-path", "{connection_file}"] }));

  const second = join(mkdtempSync(join(tmpdir(), "l0-clone-")), "l0-hard-concrete");
  const clone = spawnSync("git", ["clone", "--quiet", root, second], { encoding: "utf8" });
  assert.equal(clone.status, 0, clone.stderr);
  // The first clone's packages, linked rather than installed; older than package.json so the set-up skips npm.
  symlinkSync(join(root, "node_modules"), join(second, "node_modules"));
  for (const file of ["package.json", "package-lock.json"]) utimesSync(join(second, file), 0, 0);
  const setup = spawnSync(process.execPath, [join(second, "tools", "setup.mjs")], { env, encoding: "utf8" });
  assert.equal(setup.status, 0, setup.stdout + setup.stderr);
  assert.match(setup.stdout, /replaced the tslab kernel spec [\s\S]*\/opt\/mine\/tslab/);
  const argv: string[] = JSON.parse(readFileSync(spec, "utf8")).argv;
  assert.deepEqual(argv, [
    "/bin/sh",
    join(data, "kernels", "tslab", "tslab-kernel.sh"),
    "kernel",
    "--config-path",
    "{connection_file}",
  ]);

  unlinkSync(join(second, "node_modules")); // the link only, before the clone goes
  rmSync(resolve(second, ".."), { recursive: true });

  const out = mkdtempSync(join(tmpdir(), "l0-kernel-spec-out-"));
  const notebook = join(root, "test", "fixtures", "ok.ipynb");
  const run = spawnSync(python, [join(root, "tools", "run_notebooks.py"), "--out", out, notebook], {
    cwd: root,
    env,
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const cells: { outputs?: { text?: string[] }[] }[] = JSON.parse(readFileSync(join(out, "ok.ipynb"), "utf8")).cells;
  assert.equal(cells[1].outputs?.[0].text?.join(""), "answer = 42\n");
  rmSync(data, { recursive: true });
  rmSync(out, { recursive: true });
});

test("the launcher's kernel reads on after messages that are not for it, with the wasm backend loaded", () => {
  const dir = mkdtempSync(join(tmpdir(), "l0-stray-"));
  // A kernel spec for this checkout's launcher (the user's specs stay untouched).
  const name = "l0-stray-test";
  mkdirSync(join(dir, "kernels", name), { recursive: true });
  writeFileSync(
    join(dir, "kernels", name, "kernel.json"),
    JSON.stringify({
      argv: ["/bin/sh", join(root, "tools", "tslab-kernel.sh"), "kernel", "--config-path", "{connection_file}"],
      display_name: name,
      language: "typescript",
    }),
  );
  const stderr = join(dir, "kernel.stderr");
  const run = spawnSync(
    python,
    [join(root, "test", "notebooks", "stray_messages.py"), name, join(root, "notebooks"), stderr],
    { encoding: "utf8", env: { ...process.env, JUPYTER_PATH: dir }, timeout: 180_000 },
  );
  const kernelStderr = readFileSync(stderr, "utf8");
  assert.equal(run.status, 0, run.stdout + run.stderr + kernelStderr);
  const result = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "");
  assert.deepEqual(
    { loaded: result.loaded, alive: result.alive, beating: result.beating, after: result.after },
    { loaded: "ok", alive: true, beating: true, after: "ok" },
    kernelStderr,
  );
  // Nothing reached a cell's output; the two rejected messages are on the kernel's own stderr.
  assert.doesNotMatch(result.streams.join(""), /Rejection|Exception|EAGAIN|hmac|delimiter/);
  assert.match(kernelStderr, /dropped a message it could not handle: invalid hmac[\s\S]*dropped a message/);
  assert.match(kernelStderr, /dropped a message it could not handle: message missing delimiter/);
  rmSync(dir, { recursive: true });
});
