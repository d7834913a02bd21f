// Notebook sources are committed without outputs: the executed copies live in
// build/notebooks. Returns one line per problem (an output or an execution count).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function checkNotebookSources(dir) {
  const problems = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".ipynb"))
    .sort()) {
    const nb = JSON.parse(readFileSync(join(dir, name), "utf8"));
    nb.cells.forEach((cell, i) => {
      if (cell.cell_type !== "code") return;
      if ((cell.outputs ?? []).length > 0) problems.push(`${name}: cell ${i + 1} has outputs`);
      if (cell.execution_count != null) problems.push(`${name}: cell ${i + 1} has an execution count`);
    });
    if (nb.metadata?.kernelspec?.name !== "tslab") problems.push(`${name}: kernelspec.name is not "tslab"`);
  }
  return problems;
}
