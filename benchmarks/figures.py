"""Figures the docs quote, generated from benchmark results.

A page of ``docs/`` marks a generated block with ``<!-- figures:NAME -->`` and
``<!-- /figures:NAME -->``. Each accuracy section (``benchmarks/accuracy_<section>.py``) writes
``results/accuracy_<section>.json`` and renders its blocks from that file with ``render``; so
does each benchmark of :data:`BENCH_FIGURES` (``bench_<name>.py``, from ``results/<name>.json``);
this module puts the rendered text between the markers (``python -m benchmarks.figures``) and lets a
test check that the docs say what the results say.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RESULTS = Path(__file__).parent / "results"
BLOCK = re.compile(
    r"(<!-- figures:(?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /figures:(?P=name) -->)", re.S
)


#: Benchmarks whose result file (``results/<name>.json``) renders docs blocks with
#: ``benchmarks.bench_<name>.render``.
BENCH_FIGURES = ("scale", "lines", "attribution", "soak")


def sections() -> list[str]:
    """Names of the accuracy sections, from the ``accuracy_*.py`` modules beside this file."""
    modules = Path(__file__).parent.glob("accuracy_*.py")
    return sorted(p.stem.removeprefix("accuracy_") for p in modules)


def result_path(section: str, results_dir: Path = RESULTS) -> Path:
    """Where section ``section`` writes its figures."""
    return results_dir / f"accuracy_{section}.json"


def _renderer(module_name: str) -> Callable[[dict[str, Any]], dict[str, str]]:
    module = importlib.import_module(module_name)
    render: Callable[[dict[str, Any]], dict[str, str]] = module.render
    return render


def rendered_blocks(results_dir: Path = RESULTS) -> dict[str, str]:
    """Every block's text, rendered from the results that exist (block name → Markdown)."""
    sources = [(result_path(s, results_dir), f"benchmarks.accuracy_{s}") for s in sections()]
    sources += [(results_dir / f"{b}.json", f"benchmarks.bench_{b}") for b in BENCH_FIGURES]
    blocks: dict[str, str] = {}
    for path, module in sources:
        if not path.exists():
            continue
        figures = json.loads(path.read_text(encoding="utf-8"))
        for name, text in _renderer(module)(figures).items():
            blocks[name] = text.rstrip("\n") + "\n"
    return blocks


def doc_blocks(docs: Path = DOCS) -> dict[str, tuple[Path, str]]:
    """Every generated block the docs contain: name → (page, current text)."""
    found: dict[str, tuple[Path, str]] = {}
    for page in sorted(docs.glob("*.md")):
        for match in BLOCK.finditer(page.read_text(encoding="utf-8")):
            found[match["name"]] = (page, match["body"])
    return found


def update_docs(results_dir: Path = RESULTS, docs: Path = DOCS) -> list[str]:
    """Rewrite every block whose results exist; return the names of the blocks that changed."""
    blocks = rendered_blocks(results_dir)
    changed: list[str] = []
    for page in sorted(docs.glob("*.md")):
        text = page.read_text(encoding="utf-8")

        def replace(match: re.Match[str]) -> str:
            name = match["name"]
            if name not in blocks:
                return match[0]
            if blocks[name] != match["body"]:
                changed.append(name)
            return f"{match[1]}{blocks[name]}{match[4]}"

        new = BLOCK.sub(replace, text)
        if new != text:
            page.write_text(new, encoding="utf-8")
    return changed


if __name__ == "__main__":
    names = update_docs()
    print("updated blocks: " + (", ".join(names) if names else "none"))
    sys.exit(0)
