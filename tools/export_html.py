"""Convert executed notebooks to HTML fragments for the lecture pages (tools/site.mjs).

Usage: export_html.py NOTEBOOK...   (prints one JSON document on stdout)

All notebooks are converted in this one Python process with nbconvert's
HTMLExporter and the template tools/templates/l0-cells ("basic": the cells only,
no <head>, so nothing is fetched from a CDN; each cell marked with its key);
tools/site.mjs wraps each fragment in a page. For each notebook the JSON holds:
  stem     file name without .ipynb
  title    the first markdown cell's '# ...' heading, as HTML and as plain text
  goals    the items of the list after that cell's 'learning goals' line, as HTML
  body     the cells as HTML for the lecture page; a cell tagged "solution" is
           folded in a <details class="l0-solution"> without its output
  figures  the plotly figures of the outputs, in order, each with the file name
           stem '<notebook>-<n>' that its static SVG/PNG export gets
and "css" holds the stylesheet of the syntax highlighting.

Markdown is adjusted before conversion: nbconvert's markdown parser treats '\\('
and '\\[' as escapes and would drop the backslashes, so those delimiters become
'$' and '$$', which the parser keeps for MathJax.
"""

import copy
import json
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from pygments.formatters import HtmlFormatter

PLOTLY_MIME = "application/vnd.plotly.v1+json"
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
CELL = re.compile(r"<!--l0-cell ([\w:]+)-->\n?(.*?)\n?<!--/l0-cell-->", re.S)
TEMPLATES = Path(__file__).resolve().parent / "templates"


def tex_delimiters(source):
    source = re.sub(r"\\\[(.+?)\\\]", lambda m: "$$" + m.group(1) + "$$", source, flags=re.S)
    return re.sub(r"\\\((.+?)\\\)", lambda m: "$" + m.group(1) + "$", source, flags=re.S)


def inline_html(markdown):
    html = markdown2html_mistune(markdown).strip()
    match = re.fullmatch(r"<p>(.*)</p>", html, flags=re.S)
    return match.group(1) if match else html


def title_and_goals(nb, stem):
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    lines = tex_delimiters(first.source).splitlines() if first else []
    title = next((re.sub(r"^(#+\s*)+", "", line).strip() for line in lines if line.startswith("# ")), stem)
    goals = []
    start = next((i for i, line in enumerate(lines) if re.search(r"learning goals", line, re.I)), None)
    if start is not None:
        for line in lines[start + 1 :]:
            item = LIST_ITEM.match(line)
            if item:
                goals.append(item.group(1).strip())
            elif line.strip() == "":
                continue
            elif goals and line.startswith((" ", "\t")):
                goals[-1] += " " + line.strip()
            else:
                break
    return title, goals


def figure_links(name):
    return (
        f'\n<p class="l0-figure-links">Static copy for slides: '
        f'<a href="figures/{name}.svg">SVG</a> · <a href="figures/{name}.png">PNG</a></p>'
    )


def tags(cell):
    return set(cell.metadata.get("tags", []))


def prepare(nb, stem):
    """Returns a copy of nb ready for conversion, and its figures."""
    nb = copy.deepcopy(nb)
    figures = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = tex_delimiters(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PLOTLY_MIME in data:
                name = f"{stem}-{len(figures) + 1}"
                figures.append({"name": name, "figure": data[PLOTLY_MIME]})
                if "text/html" in data:
                    data["text/html"] = "".join(data["text/html"]) + figure_links(name)
    return nb, figures


def keyed_cells(nb, n):
    """The cells of notebook number n to convert, cell i keyed "n:i" (a solution without its output)."""
    for index, cell in enumerate(nb.cells):
        page = copy.deepcopy(cell)
        page.metadata.l0_key = f"{n}:{index}"
        page.id = f"l0-{n}-{index}"
        if "solution" in tags(cell) and cell.cell_type == "code":
            page.outputs = []
        yield page


def convert(exporter, notebooks):
    """The HTML of every keyed cell of all notebooks, converted as one notebook (nbconvert's start-up cost is per call)."""
    combined = nbformat.v4.new_notebook(metadata=notebooks[0].metadata)
    combined.cells = [cell for n, nb in enumerate(notebooks) for cell in keyed_cells(nb, n)]
    html, _ = exporter.from_notebook_node(combined)
    return {m.group(1): m.group(2) for m in CELL.finditer(html)}


def page_body(nb, n, cells):
    parts = []
    for index, cell in enumerate(nb.cells):
        html = cells[f"{n}:{index}"]
        if "solution" in tags(cell):
            html = f'<details class="l0-solution"><summary>Solution</summary>\n{html}\n</details>'
        parts.append(html)
    return "\n".join(parts)


def main():
    exporter = HTMLExporter(template_name="l0-cells", extra_template_basedirs=[str(TEMPLATES)])
    paths = [Path(arg) for arg in sys.argv[1:]]
    prepared = [prepare(nbformat.read(path, as_version=4), path.stem) for path in paths]
    notebooks = [nb for nb, _ in prepared]
    cells = convert(exporter, notebooks) if notebooks else {}
    pages = []
    for n, (path, (nb, figures)) in enumerate(zip(paths, prepared)):
        title, goals = title_and_goals(nb, path.stem)
        pages.append(
            {
                "stem": path.stem,
                "title": {"html": inline_html(title), "text": title},
                "goals": [inline_html(goal) for goal in goals],
                "body": page_body(nb, n, cells),
                "figures": figures,
            }
        )
    css = HtmlFormatter(style="default").get_style_defs(".highlight")
    json.dump({"pages": pages, "css": css}, sys.stdout)


if __name__ == "__main__":
    main()
