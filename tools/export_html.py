"""Convert executed notebooks to HTML for the lecture pages and slides (tools/site.mjs).

Usage: export_html.py NOTEBOOK...   (prints one JSON document on stdout)

All notebooks are converted in this one Python process with nbconvert's
HTMLExporter and the template tools/templates/l0-cells ("basic": the cells only,
no <head>, so nothing is fetched from a CDN; each cell marked with its index);
tools/site.mjs wraps the fragments in pages and decks. For each notebook the JSON
holds:
  stem     file name without .ipynb
  title    the first markdown cell's '# ...' heading, as HTML and as plain text
  goals    the items of the list after that cell's 'learning goals' line, as HTML
  body     the cells as HTML for the lecture page; a cell tagged "solution" is
           folded in a <details class="l0-solution"> without its output
  slides   the reveal.js <section>s of the chapter's slide deck (see slide_types)
  figures  the plotly figures of the outputs, in order, each with the file name
           stem '<notebook>-<n>' that its static SVG/PNG export gets
and "css" holds the stylesheet of the syntax highlighting.

Markdown is adjusted before conversion: nbconvert's markdown parser treats '\\('
and '\\[' as escapes and would drop the backslashes, so those delimiters become
'$' and '$$', which the parser keeps for MathJax. The copy of plotly.js that the
first figure of a kernel session carries (src/display/figure.ts) is removed: the
pages and decks load plotly.js once from the site.
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
PLOTLY_JS = re.compile(r'<script type="text/javascript" class="l0-plotly-js">.*?</script>\n?', re.S)
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
CELL = re.compile(r"<!--l0-cell ([\w:]+)-->\n?(.*?)\n?<!--/l0-cell-->", re.S)
TEMPLATES = Path(__file__).resolve().parent / "templates"

# Slides. A cell tagged with one of these is left out of the decks (brief: "check"
# is a one-line claim check, "solution" an exercise's reference solution, "setup"
# imports and boilerplate).
SLIDE_LEFT_OUT_TAGS = {"check", "solution", "setup"}
# A code cell with more source lines than this shows only its figures on a slide.
LONG_CODE_LINES = 12
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


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
        f'\n<p class="l0-figure-links" data-figure="{name}">Static copy for slides: '
        f'<a href="figures/{name}.svg">SVG</a> · <a href="figures/{name}.png">PNG</a></p>'
    )


def tags(cell):
    return set(cell.metadata.get("tags", []))


def is_figure(output):
    return PLOTLY_MIME in output.get("data", {})


def prepare(nb, stem):
    """Returns a copy of nb ready for conversion, and its figures."""
    nb = copy.deepcopy(nb)
    figures = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = tex_delimiters(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                data["text/html"] = PLOTLY_JS.sub("", "".join(data["text/html"]))
            if PLOTLY_MIME in data:
                name = f"{stem}-{len(figures) + 1}"
                figures.append({"name": name, "figure": data[PLOTLY_MIME]})
                if "text/html" in data:
                    data["text/html"] += figure_links(name)
    return nb, figures


def heading_level(cell):
    match = re.match(r"(#+)\s", cell.source.lstrip())
    return len(match.group(1)) if match else 0


def slide_types(nb):
    """
    The slide type of every cell. Cells tagged check/solution/setup are "skip".
    Where any cell of the notebook has `slideshow.slide_type`, the others count
    as "-" (continue the current slide), as in nbconvert's slides exporter. A
    notebook without slideshow metadata gets a default: a markdown cell opening
    with a '#' or '##' heading starts a slide, one with a deeper heading and a
    code cell that draws a figure start a subslide (a vertical step), the rest
    continues the current slide.
    """
    declared = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in nb.cells]
    for index, value in enumerate(declared):
        if value is not None and value not in SLIDE_TYPES:
            raise ValueError(f"cell {index}: slideshow.slide_type {value!r}, expected one of {sorted(SLIDE_TYPES)}")
    has_metadata = any(value is not None for value in declared)
    types = []
    for cell, value in zip(nb.cells, declared):
        if tags(cell) & SLIDE_LEFT_OUT_TAGS:
            types.append("skip")
        elif has_metadata:
            types.append(value or "-")
        elif cell.cell_type == "markdown" and 1 <= heading_level(cell) <= 2:
            types.append("slide")
        elif (cell.cell_type == "markdown" and heading_level(cell) > 2) or any(
            is_figure(o) for o in cell.get("outputs", [])
        ):
            types.append("subslide")
        else:
            types.append("-")
    return types


def is_long_code(cell):
    return cell.cell_type == "code" and len(cell.source.splitlines()) > LONG_CODE_LINES


def keyed_cells(nb, n):
    """
    The cells of notebook number n to convert, each with its key: "n:i" for cell i
    as the page shows it (a solution without its output), "n:i:slide" for a long
    code cell as a deck shows it (no source, only its figures).
    """
    for index, cell in enumerate(nb.cells):
        page = copy.deepcopy(cell)
        page.metadata.l0_key = f"{n}:{index}"
        page.id = f"l0-{n}-{index}"
        if "solution" in tags(cell) and cell.cell_type == "code":
            page.outputs = []
        yield page
        if is_long_code(cell):
            slide = copy.deepcopy(cell)
            slide.metadata.l0_key = f"{n}:{index}:slide"
            slide.id = f"l0-{n}-{index}-slide"
            slide.transient = {"remove_source": True}
            slide.outputs = [o for o in cell.outputs if is_figure(o)]
            yield slide


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


def deck_sections(nb, n, cells):
    """The reveal.js sections: a <section> per slide holding a <section> per subslide."""
    slides = []  # each slide: a list of subslides; each subslide: a list of blocks [html, is_fragment]
    for index, (cell, kind) in enumerate(zip(nb.cells, slide_types(nb))):
        if kind == "skip":
            continue
        if is_long_code(cell):
            html = cells[f"{n}:{index}:slide"] if any(is_figure(o) for o in cell.outputs) else None
        else:
            html = cells[f"{n}:{index}"]
        if html is not None:
            # The page's "static copy" links point into figures/, one folder up from a deck.
            html = re.sub(r'\n<p class="l0-figure-links".*?</p>', "", html, flags=re.S)
        if html is None and kind not in ("slide", "subslide"):
            continue  # a long code cell without figures: nothing to show, no slide to open
        if kind == "slide" or not slides:
            slides.append([[]])
        elif kind == "subslide":
            slides[-1].append([])
        if html is None:
            continue
        blocks = slides[-1][-1]
        if kind == "notes":
            blocks.append([f'<aside class="notes">\n{html}\n</aside>', False])
        elif kind == "fragment":
            blocks.append([html, True])
        elif blocks and blocks[-1][1]:
            blocks[-1][0] += "\n" + html  # "-" after a fragment belongs to it
        else:
            blocks.append([html, False])
    out = []
    for slide in slides:
        subslides = []
        for blocks in slide:
            body = "\n".join(f'<div class="fragment">\n{h}\n</div>' if fragment else h for h, fragment in blocks)
            subslides.append(f"<section>\n{body}\n</section>")
        out.append("<section>\n" + "\n".join(subslides) + "\n</section>")
    return "\n".join(out)


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
                "slides": deck_sections(nb, n, cells),
                "figures": figures,
            }
        )
    css = HtmlFormatter(style="default").get_style_defs(".highlight")
    json.dump({"pages": pages, "css": css}, sys.stdout)


if __name__ == "__main__":
    main()
