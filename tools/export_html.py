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
CELL = re.compile(r"<!--l0-cell (\d+)-->\n?(.*?)\n?<!--/l0-cell-->", re.S)
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
    """Returns a copy of nb ready for conversion (every cell numbered), and its figures."""
    nb = copy.deepcopy(nb)
    figures = []
    for index, cell in enumerate(nb.cells):
        cell.metadata.l0_index = index
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


def convert(exporter, nb):
    """The HTML of each cell of nb, by cell index."""
    html, _ = exporter.from_notebook_node(nb)
    return {int(m.group(1)): m.group(2) for m in CELL.finditer(html)}


def page_body(exporter, nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if "solution" in tags(cell) and cell.cell_type == "code":
            cell.outputs = []
    cells = convert(exporter, nb)
    parts = []
    for cell in nb.cells:
        html = cells[cell.metadata.l0_index]
        if "solution" in tags(cell):
            html = f'<details class="l0-solution"><summary>Solution</summary>\n{html}\n</details>'
        parts.append(html)
    return "\n".join(parts)


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


def slide_cells(nb):
    """A copy of nb for the deck: long code shows only its figures, and cells with nothing left are skipped."""
    nb = copy.deepcopy(nb)
    for cell, kind in zip(nb.cells, slide_types(nb)):
        cell.metadata.l0_slide_type = kind
        if cell.cell_type != "code" or kind == "skip":
            continue
        if len(cell.source.splitlines()) > LONG_CODE_LINES:
            cell.transient = {"remove_source": True}
            cell.outputs = [o for o in cell.outputs if is_figure(o)]
            # Nothing left to show: the cell still opens its (sub)slide, if it is set to.
            cell.metadata.l0_empty = not cell.outputs
        for output in cell.outputs:
            data = output.get("data", {})
            if "text/html" in data:
                # The page's "static copy" links point into figures/, one folder up from a deck.
                data["text/html"] = re.sub(r'\n<p class="l0-figure-links".*?</p>', "", data["text/html"], flags=re.S)
    return nb


def deck_sections(exporter, nb):
    """The reveal.js sections: <section> per slide holding one <section> per subslide."""
    nb = slide_cells(nb)
    cells = convert(exporter, nb)
    slides = []  # each slide: a list of subslides; each subslide: a list of blocks (html, is_fragment)
    for cell in nb.cells:
        kind = cell.metadata.l0_slide_type
        empty = cell.metadata.get("l0_empty", False)
        if kind == "skip" or (empty and kind not in ("slide", "subslide")):
            continue
        html = "" if empty else cells[cell.metadata.l0_index]
        if kind == "slide" or not slides:
            slides.append([[]])
        elif kind == "subslide":
            slides[-1].append([])
        blocks = slides[-1][-1]
        if kind == "notes":
            blocks.append((f'<aside class="notes">\n{html}\n</aside>', False))
        elif kind == "fragment":
            blocks.append((html, True))
        elif blocks and blocks[-1][1]:
            blocks[-1] = (blocks[-1][0] + "\n" + html, True)  # "-" after a fragment joins it
        else:
            blocks.append((html, False))
    out = []
    for slide in slides:
        subs = []
        for blocks in slide:
            body = "\n".join(f'<div class="fragment">\n{h}\n</div>' if frag else h for h, frag in blocks)
            subs.append(f"<section>\n{body}\n</section>")
        out.append("<section>\n" + "\n".join(subs) + "\n</section>")
    return "\n".join(out)


def main():
    exporter = HTMLExporter(template_name="l0-cells", extra_template_basedirs=[str(TEMPLATES)])
    pages = []
    for arg in sys.argv[1:]:
        path = Path(arg)
        nb = nbformat.read(path, as_version=4)
        stem = path.stem
        title, goals = title_and_goals(nb, stem)
        prepared, figures = prepare(nb, stem)
        pages.append(
            {
                "stem": stem,
                "title": {"html": inline_html(title), "text": title},
                "goals": [inline_html(goal) for goal in goals],
                "body": page_body(exporter, prepared),
                "slides": deck_sections(exporter, prepared),
                "figures": figures,
            }
        )
    css = HtmlFormatter(style="default").get_style_defs(".highlight")
    json.dump({"pages": pages, "css": css}, sys.stdout)


if __name__ == "__main__":
    main()
