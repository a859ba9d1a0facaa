"""The figures the docs quote are the ones the accuracy benchmark wrote."""

from __future__ import annotations

from benchmarks.figures import doc_blocks, rendered_blocks, result_path, sections


def test_every_accuracy_section_has_results() -> None:
    missing = [s for s in sections() if not result_path(s).exists()]
    assert not missing, f"no results for {missing}: run `make bench BENCH=accuracy`"


def test_docs_blocks_equal_the_rendered_results() -> None:
    rendered = rendered_blocks()
    in_docs = doc_blocks()
    assert set(rendered) <= set(in_docs), (
        f"blocks rendered but missing from docs: {sorted(set(rendered) - set(in_docs))}"
    )
    stale = [name for name, text in rendered.items() if in_docs[name][1] != text]
    assert not stale, f"docs blocks out of date: {stale}; run `python -m benchmarks.figures`"
    orphans = sorted(set(in_docs) - set(rendered))
    assert not orphans, f"docs blocks without results: {orphans}"
