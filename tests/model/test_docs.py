from pathlib import Path

from revintel.model._docs import render_data_model

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


def test_data_model_page_matches_the_schema() -> None:
    assert DOC.read_text(encoding="utf-8") == render_data_model(), (
        "docs/data-model.md is stale: run `python -m revintel.model > docs/data-model.md`"
    )
