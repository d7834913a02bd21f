/**
 * Checks of the printable handouts (build/site/handouts/*.pdf) with Debian's
 * poppler-utils: `pdfinfo` (pages, A4), `pdftotext` (the text holds the chapter's
 * title and no TeX delimiters left), `pdfimages` (the figures are images in it) and `pdftoppm`
 * (page 1 rendered to a PNG, kept next to the screenshots). Returns the problems
 * found and the handout's text.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";

function poppler(tool: string, args: string[]): string {
  const result = spawnSync(tool, args, { encoding: "utf8" });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error(
      `${tool} is missing: install Debian's poppler-utils (apt-get install poppler-utils; npm test's set-up does this)`,
    );
  }
  if (result.status !== 0) throw new Error(`${tool} ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * TeX delimiters that MathJax should have replaced before printing: `$$`, or `$`
 * around text that does not start like a template literal's `${`.
 */
const RAW_TEX = /\$\$|\$[^${\s][^$\n]{0,80}\$|\\begin\{/;

export function checkHandout(
  pdf: string,
  { title, figures, screenshotDir }: { title: string; figures: number; screenshotDir: string },
): { problems: string[]; text: string } {
  const problems: string[] = [];
  const at = (message: string) => problems.push(`${basename(pdf)}: ${message}`);
  const info = poppler("pdfinfo", [pdf]);
  const pages = Number(info.match(/^Pages:\s+(\d+)/m)?.[1] ?? 0);
  if (pages < 1) at("no pages");
  if (!/^Page size:.*\(A4\)/m.test(info)) at(`not A4: ${info.match(/^Page size:.*$/m)?.[0]}`);
  const text = poppler("pdftotext", ["-layout", pdf, "-"]);
  const flat = text.replace(/\s+/g, " ");
  if (!flat.includes(title)) at(`the text does not contain the title ${JSON.stringify(title)}`);
  const tex = flat.match(RAW_TEX);
  if (tex) at(`raw TeX in the text: ${JSON.stringify(tex[0])}`);
  const images = poppler("pdfimages", ["-list", pdf])
    .split("\n")
    .slice(2)
    .filter((line) => line.trim()).length;
  if (images !== figures) at(`${images} images for ${figures} figures`);
  const png = join(screenshotDir, `handout-${basename(pdf, ".pdf")}`);
  poppler("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, png]);
  const header = readFileSync(`${png}.png`).subarray(1, 4).toString("latin1");
  if (header !== "PNG") at("pdftoppm did not make a PNG of page 1");
  return { problems, text };
}
