// The notebook runner (tools/run_notebooks.py) against small broken notebooks:
// each failure mode tslab produces must fail the run and name the notebook, the
// cell and the message.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";

const root = resolve(__dirname, "..", "..", "..");
const python = process.env.L0_PYTHON || "/usr/bin/python3";
const fixtures = join(root, "test", "fixtures");

function runner(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; output: string } {
  const result = spawnSync(python, [join(root, "tools", "run_notebooks.py"), ...args], {
    cwd: root,
    encoding: "utf8",
    env,
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

/** The runner's report for one notebook: its FAIL line and the indented stderr below it. */
function reportFor(output: string, notebook: string): string {
  const start = output.indexOf(`FAIL ${notebook}:`);
  assert.notEqual(start, -1, `no FAIL line for ${notebook} in:\n${output}`);
  const next = output.slice(start + 1).search(/^(FAIL|ok) /m);
  return next === -1 ? output.slice(start) : output.slice(start, start + 1 + next);
}

describe("run_notebooks.py on broken notebooks", () => {
  const out = mkdtempSync(join(tmpdir(), "l0-runner-"));
  const broken = (name: string) => join("test", "fixtures", "broken", `${name}.ipynb`);

  // One run over the notebooks that need no options, two at a time as the course runs them: the runner goes
  // on after a failure, and each report names its own notebook and cell.
  const names = ["exception", "type-error", "uncaught", "uncaught-last", "unawaited", "dead-kernel"];
  const batch = runner(["--out", out, "--jobs", "2", ...names.map(broken)]);

  test("the run fails naming each failed notebook and cell, and writes no executed copy of them", () => {
    assert.equal(batch.status, 1);
    for (const name of names) {
      // A crash of the runner itself also exits with a failure, but names no notebook and cell.
      assert.match(reportFor(batch.output, broken(name)), /^FAIL \S+\.ipynb: cell \d+: /);
      assert.throws(() => readFileSync(join(out, `${name}.ipynb`)));
    }
  });

  const cases: [string, number, RegExp][] = [
    ["exception", 2, /status is 'error'[\s\S]*fixture: deliberate failure in cell 2/],
    ["type-error", 2, /status is 'error'[\s\S]*Type 'string' is not assignable to type 'number'/],
    ["uncaught", 2, /outside the cell's promise chain[\s\S]*UncaughtException: Error: fixture: thrown in a timer/],
    ["uncaught-last", 2, /outside the cell's promise chain[\s\S]*fixture: thrown in a timer after the last cell/],
    [
      "unawaited",
      1,
      /outside the cell's promise chain[\s\S]*UnhandledPromiseRejection: Error: fixture: rejected promise/,
    ],
    ["dead-kernel", 2, /the kernel died/],
  ];
  for (const [name, cell, message] of cases) {
    test(`${name}: names the notebook, cell ${cell} and the message`, () => {
      const report = reportFor(batch.output, broken(name));
      assert.match(report, new RegExp(`^FAIL ${broken(name).replace(/[.]/g, "\\.")}: cell ${cell}: `));
      assert.match(report, message);
    });
  }

  test("abort: fails even where errors are allowed (nbclient lets 'abort' pass)", () => {
    const { status, output } = runner(["--out", out, "--allow-errors", broken("abort")]);
    assert.equal(status, 1);
    assert.match(reportFor(output, broken("abort")), /cell 2: execute_reply status is 'abort'/);
  });

  test("timeout: a cell that runs past the timeout fails", () => {
    const { status, output } = runner(["--out", out, "--timeout", "3", broken("timeout")]);
    assert.equal(status, 1);
    assert.match(reportFor(output, broken("timeout")), /cell 2: timed out after 3 s/);
  });
});

describe("run_notebooks.py writes executed copies safely", () => {
  test("a failed run leaves the previous executed copy intact", () => {
    // Inside the project, where the kernel finds its tslab (tools/tslab-kernel.sh looks upward from the notebook).
    const work = mkdtempSync(join(root, "build", "runner-src-"));
    const out = mkdtempSync(join(tmpdir(), "l0-runner-out-"));
    const source = join(work, "chapter.ipynb");
    copyFileSync(join(fixtures, "ok.ipynb"), source);
    assert.equal(runner(["--out", out, source]).status, 0);
    const executed = readFileSync(join(out, "chapter.ipynb"), "utf8");
    assert.match(executed, /answer = 42/);

    copyFileSync(join(fixtures, "broken", "exception.ipynb"), source);
    const failed = runner(["--out", out, source]);
    assert.equal(failed.status, 1);
    assert.match(reportFor(failed.output, source), /cell 2: .*fixture: deliberate failure in cell 2/s);
    assert.equal(readFileSync(join(out, "chapter.ipynb"), "utf8"), executed);
    rmSync(work, { recursive: true });
    rmSync(out, { recursive: true });
  });

  test("a notebook for another kernel is refused by name", () => {
    const work = mkdtempSync(join(tmpdir(), "l0-runner-kernel-"));
    const nb = JSON.parse(readFileSync(join(fixtures, "ok.ipynb"), "utf8"));
    nb.metadata.kernelspec.name = "python3";
    writeFileSync(join(work, "other.ipynb"), JSON.stringify(nb));
    const { status, output } = runner(["--out", work, join(work, "other.ipynb")]);
    assert.equal(status, 1);
    assert.match(
      output,
      new RegExp(
        `${join(work, "other.ipynb").replace(/[.]/g, "\\.")}.*kernelspec\\.name is 'python3', expected "tslab"`,
      ),
    );
  });

  test("a kernel that does not start fails its notebook by name, and the run goes on", () => {
    // A tslab kernel spec, found first through JUPYTER_PATH, whose kernel exits at once.
    const dir = mkdtempSync(join(tmpdir(), "l0-runner-no-kernel-"));
    mkdirSync(join(dir, "kernels", "tslab"), { recursive: true });
    writeFileSync(
      join(dir, "kernels", "tslab", "kernel.json"),
      JSON.stringify({ argv: ["/bin/false", "{connection_file}"], display_name: "TypeScript", language: "typescript" }),
    );
    const notebooks = [join("test", "fixtures", "ok.ipynb"), join("test", "fixtures", "broken", "exception.ipynb")];
    const { status, output } = runner(["--out", join(dir, "out"), "--jobs", "2", ...notebooks], {
      ...process.env,
      JUPYTER_PATH: dir,
    });
    assert.equal(status, 1, output);
    for (const notebook of notebooks) {
      assert.match(reportFor(output, notebook), /: cell 0: the kernel did not start \(Kernel died before replying/);
    }
    assert.doesNotMatch(output, /Traceback/, "the runner reports the failure; it does not crash");
    rmSync(dir, { recursive: true });
  });
});
