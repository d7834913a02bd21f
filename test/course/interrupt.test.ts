// Stopping the course command half-way (Ctrl-C: SIGINT to its process group),
// also after a kernel was lost, leaves the previous executed notebooks and lecture pages as
// they were, no runner or kernel process behind and no temporary folder.
// tools/course.mjs runs on a two-chapter course (test/fixtures/interrupt/) with a
// build folder of its own; the fixture's cell tells the test its kernel's process
// id and waits when asked to, so that the test can stop the run there.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
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

async function until(condition: () => boolean, what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`waited 2 minutes for ${what}; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the course command, stopped half-way", () => {
  const build = mkdtempSync(join(tmpdir(), "l0-course-build-"));
  const pids = mkdtempSync(join(tmpdir(), "l0-course-kernels-"));
  const executed = join(build, "notebooks");
  const site = join(build, "site");
  after(() => {
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
    const child = spawn(
      process.execPath,
      [join(root, "tools", "course.mjs"), "--notebooks", fixture, "--build", build],
      {
        cwd: root,
        detached: true,
        env: { ...process.env, L0_TEST_KERNEL_PIDS: pids, L0_TEST_WAIT: wait },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    return { group: child.pid as number, output: () => output, exited };
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
    assert.equal(await run.exited, 130, run.output());
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
    assert.equal(await run.exited, 130, run.output());
    assert.match(run.output(), /stopped by SIGINT/);
    assert.deepEqual(snapshot(build), before);
    assert.deepEqual(leftBehind(run.group, fixture), []);
  });

  test("Ctrl-C while the pages are built: the previous pages stay, the temporary folder goes", async () => {
    previousRun();
    const before = snapshot(site);
    const run = startCourse("");
    await until(() => readdirSync(build).some((name) => name.startsWith(".site-")), "the site build", run.output);
    process.kill(-run.group, "SIGINT");
    assert.equal(await run.exited, 130, run.output());
    assert.deepEqual(snapshot(site), before);
    assert.deepEqual(readdirSync(build).sort(), ["notebooks", "site"]);
    assert.deepEqual(leftBehind(run.group, fixture), []);
  });

  test("the pages are swapped in whole when built, and not at all when the run was stopped meanwhile", async () => {
    const { buildSiteAtomically } = await import(pathToFileURL(join(root, "tools", "course.mjs")).href);
    previousRun();
    const before = snapshot(site);
    assert.equal(await buildSiteAtomically({ python, notebooks: fixture, out: site, stopped: () => true }), false);
    assert.deepEqual(snapshot(site), before);
    assert.equal(await buildSiteAtomically({ python, notebooks: fixture, out: site }), true);
    assert.match(
      readFileSync(join(site, "index.html"), "utf8"),
      /01 · The first chapter[\s\S]*02 · The second chapter/,
    );
    assert.notEqual(readFileSync(join(site, "assets", "style.css"), "utf8"), "their stylesheet");
    assert.equal(statSync(site).mode & 0o777, 0o755);
    assert.deepEqual(readdirSync(build).sort(), ["notebooks", "site"]);
  });
});
