// Stopping the course command half-way (Ctrl-C: SIGINT to its process group),
// also after a kernel was lost, leaves the previous executed notebooks and lecture pages as
// they were, no runner or kernel process behind and no temporary folder.
// tools/course.mjs runs on a two-chapter course (test/fixtures/interrupt/) with a
// build folder of its own; the fixture's cell tells the test its kernel's process
// id and waits when asked to, so that the test can stop the run there.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { pathToFileURL } from "node:url";

const root = resolve(__dirname, "..", "..", "..");
const python = process.env.L0_PYTHON || "/usr/bin/python3";
const fixture = join(root, "test", "fixtures", "interrupt");

/** Every file and folder under `dir`: relative path → content ("/" for a folder). */
function snapshot(dir: string): Record<string, string> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  return Object.fromEntries(
    entries.map((e) => {
      const path = join(e.parentPath ?? e.path, e.name);
      return [relative(dir, path), e.isDirectory() ? "/" : readFileSync(path, "utf8")];
    }),
  );
}

/** Processes (zombies aside) in process group `group` or working in `dir`: what a stopped run must not leave. */
function leftBehind(group: number, dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [state, , processGroup] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z") continue;
      if (Number(processGroup) === group || readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) {
        found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ")}`);
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** How long the test waits for each step of a run: a run that hangs fails the test instead of the whole test command. */
const STEP_MS = 120_000;

/** SIGKILL to what `leftBehind` finds of a run: its process group and its kernels (which have groups of their own). */
function killRun(group: number): void {
  for (const pid of [-group, ...leftBehind(group, fixture).map((line) => Number.parseInt(line, 10))]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // it ended meanwhile
    }
  }
}

async function until(condition: () => boolean, what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + STEP_MS;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`waited ${STEP_MS / 1000} s for ${what}; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the course command, stopped half-way", () => {
  const build = mkdtempSync(join(tmpdir(), "l0-course-build-"));
  const pids = mkdtempSync(join(tmpdir(), "l0-course-kernels-"));
  const executed = join(build, "notebooks");
  const site = join(build, "site");
  /** Process groups of runs not yet exited: killed after the tests, whatever failed. */
  const running = new Set<number>();
  after(() => {
    for (const group of running) killRun(group);
    rmSync(build, { recursive: true, force: true });
    rmSync(pids, { recursive: true, force: true });
  });

  /** What an earlier run left: an executed copy of each chapter and the pages. */
  function previousRun(): void {
    rmSync(build, { recursive: true, force: true });
    rmSync(pids, { recursive: true, force: true });
    mkdirSync(pids);
    mkdirSync(executed, { recursive: true });
    mkdirSync(join(site, "assets"), { recursive: true });
    writeFileSync(join(executed, "01-chapter.ipynb"), "chapter 01 as executed before");
    writeFileSync(join(executed, "02-chapter.ipynb"), "chapter 02 as executed before");
    writeFileSync(join(site, "index.html"), "the pages as built before");
    writeFileSync(join(site, "assets", "style.css"), "their stylesheet");
  }

  /** Starts `npm run course` on the fixture course, in a process group of its own (as a shell runs a command). */
  function startCourse(wait: string) {
    return startRun(
      process.execPath,
      [join(root, "tools", "course.mjs"), "--notebooks", fixture, "--build", build],
      wait,
    );
  }

  /** Starts `command` on the fixture course in a process group of its own; `wait` names the chapters whose cell waits. */
  function startRun(command: string, args: string[], wait: string) {
    const child = spawn(command, args, {
      cwd: root,
      detached: true,
      env: { ...process.env, L0_TEST_KERNEL_PIDS: pids, L0_TEST_WAIT: wait },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    const group = child.pid as number;
    running.add(group);
    void exited.then(() => running.delete(group));
    /**
     * The run's exit status, awaited for at most STEP_MS: a run that does not stop
     * fails the test with its output and the processes still in its group, which
     * are then killed (so that this file ends too).
     */
    const exitStatus = async (): Promise<number | null> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((done) => (timer = setTimeout(() => done("late"), STEP_MS)));
      const status = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (status === "late") {
        const left = leftBehind(group, fixture);
        killRun(group);
        assert.fail(
          `the run had not exited ${STEP_MS / 1000} s after Ctrl-C; its processes:\n${left.join("\n")}\noutput:\n${output}`,
        );
      }
      return status;
    };
    return { group, output: () => output, exitStatus };
  }

  test("a kernel killed, then Ctrl-C in the next notebook: no runner or kernel left, nothing written", async () => {
    previousRun();
    const before = snapshot(build);
    const run = startCourse("01 02");
    await until(() => existsSync(join(pids, "01")), "chapter 01's kernel", run.output);
    process.kill(Number(readFileSync(join(pids, "01"), "utf8")), "SIGKILL");
    // The runner reports chapter 01; chapter 02, on the other lane, waits.
    await until(() => existsSync(join(pids, "02")), "chapter 02's kernel", run.output);
    await until(
      () => /FAIL \S*01-chapter\.ipynb: cell 2: the kernel died/.test(run.output()),
      "01's report",
      run.output,
    );
    process.kill(-run.group, "SIGINT");
    assert.equal(await run.exitStatus(), 130, run.output());
    assert.match(run.output(), /stopped by SIGINT/);
    assert.deepEqual(snapshot(build), before);
    assert.deepEqual(leftBehind(run.group, fixture), []);
  });

  test("Ctrl-C while both lanes run a notebook: both kernels killed, nothing written", async () => {
    previousRun();
    const before = snapshot(build);
    const run = startCourse("01 02");
    await until(() => existsSync(join(pids, "01")) && existsSync(join(pids, "02")), "both kernels", run.output);
    process.kill(-run.group, "SIGINT");
    assert.equal(await run.exitStatus(), 130, run.output());
    assert.match(run.output(), /stopped by SIGINT/);
    assert.deepEqual(snapshot(build), before);
    assert.deepEqual(leftBehind(run.group, fixture), []);
  });

  test("the runner stops when the kernel hands the signal to one of its threads other than the main one", async () => {
    // Python runs signal handlers in the main thread only; a main thread blocked in an
    // untimed wait never learns of a signal another thread received, and the run hangs.
    previousRun();
    const runner = [join(root, "tools", "run_notebooks.py"), "--jobs", "2", "--out", executed, fixture];
    const run = startRun(python, runner, "01 02");
    await until(() => existsSync(join(pids, "01")) && existsSync(join(pids, "02")), "both kernels", run.output);
    // Its threads other than the main one, but for zeromq's (which block every signal).
    const threads = readdirSync(`/proc/${run.group}/task`).filter(
      (tid) =>
        tid !== String(run.group) && !readFileSync(`/proc/${run.group}/task/${tid}/comm`, "utf8").startsWith("ZMQbg"),
    );
    assert.ok(threads.length >= 2, `the runner's Python threads besides the main one: ${threads.join(", ")}`);
    // tgkill(2): a signal to one thread, which kill(1) cannot send; glibc has had a wrapper since 2.30.
    const sent = spawnSync(python, [
      "-c",
      `import ctypes, signal; assert ctypes.CDLL(None, use_errno=True).tgkill(${run.group}, ${threads[0]}, signal.SIGINT) == 0`,
    ]);
    assert.equal(sent.status, 0, String(sent.stderr));
    assert.equal(await run.exitStatus(), 130, run.output());
    assert.match(run.output(), /stopped by SIGINT/);
    assert.deepEqual(leftBehind(run.group, fixture), []);
  });

  test("Ctrl-C while the pages are built: the previous pages stay, the temporary folder goes", async () => {
    previousRun();
    const before = snapshot(site);
    const run = startCourse("");
    await until(() => readdirSync(build).some((name) => name.startsWith(".site-")), "the site build", run.output);
    process.kill(-run.group, "SIGINT");
    assert.equal(await run.exitStatus(), 130, run.output());
    assert.deepEqual(snapshot(site), before);
    assert.deepEqual(readdirSync(build).sort(), ["notebooks", "site"]);
    assert.deepEqual(leftBehind(run.group, fixture), []);
  });

  test("the pages are swapped in whole when built, and not at all when the run was stopped meanwhile", async () => {
    const { buildSiteAtomically } = await import(pathToFileURL(join(root, "tools", "course.mjs")).href);
    // A stand-in for tools/site.mjs's buildSite (which the course test runs for real): the swap is what is tested.
    const buildSite = async ({ notebooks, out }: { notebooks: string; out: string }) => {
      const chapters = readdirSync(notebooks).filter((name) => name.endsWith(".ipynb"));
      mkdirSync(join(out, "assets"), { recursive: true });
      writeFileSync(join(out, "index.html"), `the pages of ${chapters.join(", ")}`);
      writeFileSync(join(out, "assets", "style.css"), "the new stylesheet");
    };
    previousRun();
    const before = snapshot(site);
    assert.equal(
      await buildSiteAtomically({ python, notebooks: fixture, out: site, stopped: () => true, build: buildSite }),
      false,
    );
    assert.deepEqual(snapshot(site), before);
    assert.deepEqual(readdirSync(build).sort(), ["notebooks", "site"]);
    assert.equal(await buildSiteAtomically({ python, notebooks: fixture, out: site, build: buildSite }), true);
    assert.deepEqual(snapshot(site), {
      "index.html": "the pages of 01-chapter.ipynb, 02-chapter.ipynb",
      assets: "/",
      "assets/style.css": "the new stylesheet",
    });
    assert.equal(statSync(site).mode & 0o777, 0o755);
    assert.deepEqual(readdirSync(build).sort(), ["notebooks", "site"]);
  });
});
