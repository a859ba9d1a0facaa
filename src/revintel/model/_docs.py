"""The data-model reference page, generated from the schema so the two cannot disagree."""

from __future__ import annotations

from revintel.model._schema import ALL_TABLES, SCHEMA_VERSION, SYSTEM_TABLES


def render_data_model() -> str:
    """Markdown describing every table and column of the current schema."""
    lines = [
        "# The data model",
        "",
        "Generated from `revintel.model._schema` (schema version "
        f"{SCHEMA_VERSION}); `tests/model/test_docs.py` fails when this page is out of date.",
        "Regenerate with `python -m revintel.model > docs/data-model.md`.",
        "",
    ]
    for table in ALL_TABLES:
        if table is SYSTEM_TABLES[0]:
            lines += [
                "# System tables",
                "",
                "Kept by revintel beside the data model: user decisions, models and scores.",
                "",
            ]
        key = ", ".join(f"`{k}`" for k in table.key)
        lines += [f"## `{table.name}`", "", f"{table.description} Key: {key}.", ""]
        lines += ["| column | type | required | since | meaning |", "|---|---|---|---|---|"]
        for column in table.columns:
            reference = table.references.get(column.name)
            meaning = column.description
            if reference:
                meaning = f"{meaning} → `{reference}`".strip()
            required = "yes" if column.required else ""
            dtype = str(column.dtype).removesuffix("(6)")
            lines.append(f"| `{column.name}` | {dtype} | {required} | {column.since} | {meaning} |")
        lines.append("")
    return "\n".join(lines)
