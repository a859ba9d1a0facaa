"""Source mappings: how a system's export files map onto the integrated data model.

A mapping is YAML validated into frozen pydantic models; the presets in ``conf/sources`` use the
same format a user writes for the ``generic`` preset. Errors name the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from revintel.ingest._generic import generic_mapping_data
from revintel.ingest._reading import IngestError
from revintel.model import TABLES_BY_NAME, parse_yaml_mapping, table
from revintel.store import parse_timezone

_SOURCES = "conf/sources"
#: Pseudo-column for a fallback: the latest date found in the object's date fields.
SNAPSHOT = "@snapshot"


def _aliases(value: str | list[str]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    return tuple(alias.strip() for item in items for alias in item.split("|") if alias.strip())


class FieldSpec(BaseModel):
    """Where one model column comes from.

    ``column`` lists header names to look for (first present wins; ``"A|B"`` also works);
    ``values`` maps source values to stored ones (case-insensitive); ``ref`` names the table a
    source id points to; ``fallback`` names another model column (or ``@snapshot``) used when the
    cell is empty; ``constant`` fills every row.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    column: tuple[str, ...] = ()
    values: dict[str, str] = Field(default_factory=dict)
    ref: str | None = None
    fallback: str | None = None
    constant: str | None = None

    @field_validator("column", mode="before")
    @classmethod
    def _split(cls, value: str | list[str]) -> tuple[str, ...]:
        return _aliases(value)

    @field_validator("ref")
    @classmethod
    def _known_table(cls, value: str | None) -> str | None:
        if value is not None and value not in TABLES_BY_NAME:
            raise ValueError(f"unknown table {value!r}")
        return value


class StageSpec(BaseModel):
    """Where an entity's stage history comes from.

    ``column`` holds the current stage name (or ``current`` fixes one milestone for every row);
    ``dated_by`` gives, per milestone id, outcome or ``"*"``, the column dating the current stage;
    ``entered`` maps milestone ids to "date entered" columns; ``outcome`` is a status column
    whose won/lost values override the stage; a filled ``lost_when`` column (a lost reason) marks
    the entity lost (disqualified for leads).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    column: tuple[str, ...] = ()
    current: str | None = None
    dated_by: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    entered: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    outcome: tuple[str, ...] = ()
    lost_when: tuple[str, ...] = ()

    @field_validator("column", "outcome", "lost_when", mode="before")
    @classmethod
    def _split(cls, value: str | list[str]) -> tuple[str, ...]:
        return _aliases(value)

    @field_validator("dated_by", "entered", mode="before")
    @classmethod
    def _split_values(cls, value: dict[str, str | list[str]]) -> dict[str, tuple[str, ...]]:
        return {k: _aliases(v) for k, v in value.items()}


class SourceSpec(BaseModel):
    """Where an object's rows already are in the store's engine: a ``table`` or a ``query``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    table: str | None = None
    query: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> SourceSpec:
        if (self.table is None) == (self.query is None):
            raise ValueError("give either table or query")
        return self


class ObjectSpec(BaseModel):
    """One kind of export file (e.g. Salesforce ``Opportunity``) and its target table.

    A file is recognised when every ``detect`` entry (``"A|B"`` = either) is among its headers.
    ``id`` lists the columns that form the record's id in the source. For ``table: milestones``
    (stage history tables) the fields ``entity_id``, ``occurred_at`` and ``source_stage`` are
    required and ``entity`` says whose history it is. ``source`` reads the object from a table or
    query of the store's engine instead of a file (then ``detect`` may be left out).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    table: str
    detect: tuple[str, ...] = ()
    source: SourceSpec | None = None
    id: tuple[str, ...] = ()
    entity: str | None = None
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    stage: StageSpec | None = None
    date_format: str | None = None
    decimal: str | None = None

    @field_validator("detect", "id", mode="before")
    @classmethod
    def _listify(cls, value: str | list[str]) -> tuple[str, ...]:
        return (value,) if isinstance(value, str) else tuple(value)

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {k: {"column": v} if isinstance(v, str | list) else v for k, v in value.items()}

    @field_validator("table")
    @classmethod
    def _known_table(cls, value: str) -> str:
        if value not in TABLES_BY_NAME:
            raise ValueError(f"unknown table {value!r}")
        return value

    @property
    def entity_type(self) -> str | None:
        """``lead`` or ``opportunity`` when the object carries a stage history."""
        if self.entity:
            return self.entity
        return {"leads": "lead", "opportunities": "opportunity"}.get(self.table)


class SourceMapping(BaseModel):
    """A source system's export files: its name, extra stage names, formats and objects.

    ``timezone`` is the IANA zone the system writes times in (``UTC`` for most cloud CRMs);
    unset, times are taken to be in the store's zone.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    system: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    stages: dict[str, str] = Field(default_factory=dict)
    date_format: str | None = None
    decimal: str | None = None
    timezone: str | None = None
    objects: dict[str, ObjectSpec]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else parse_timezone(value).key


def _check_fields(mapping: SourceMapping) -> list[str]:
    errors = []
    for name, obj in mapping.objects.items():
        spec = table(obj.table)
        for column in obj.fields:
            if column not in spec.column_names():
                errors.append(
                    f"objects.{name}.fields.{column}: table {obj.table!r} has no such column"
                )
        if obj.table != "milestones" and not obj.id:
            errors.append(f"objects.{name}.id: needs the column(s) that identify a record")
        if not obj.detect and obj.source is None:
            errors.append(f"objects.{name}.detect: needs the headers that identify its files")
    return errors


def parse_mapping(data: Mapping[str, Any], origin: str = "<mapping>") -> SourceMapping:
    """Validate a mapping; :class:`IngestError` naming ``origin`` and each offending field."""
    try:
        mapping = SourceMapping.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{origin}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        ]
        raise IngestError("\n".join(lines)) from None
    errors = [f"{origin}: {e}" for e in _check_fields(mapping)]
    if errors:
        raise IngestError("\n".join(errors))
    return mapping


def load_mapping(path: str | Path) -> SourceMapping:
    """Load a user's mapping YAML (the ``generic`` preset's ``--mapping``)."""
    origin = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise IngestError(f"{origin}: cannot read: {exc.strerror}") from None
    return _parse_yaml(text, origin)


def _parse_yaml(text: str, origin: str) -> SourceMapping:
    data = parse_yaml_mapping(text, origin, IngestError, "'system' and 'objects'")
    return parse_mapping(data, origin)


def preset_names() -> list[str]:
    """Names of the built-in presets (``generic`` reads files named like the model)."""
    folder = files("revintel").joinpath(_SOURCES)
    names = [p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")]
    return sorted([*names, "generic"])


def load_preset(name: str) -> SourceMapping:
    """The built-in preset ``name``; :class:`IngestError` listing the presets otherwise."""
    if name not in preset_names():
        raise IngestError(f"unknown preset {name!r}; choose one of {', '.join(preset_names())}")
    if name == "generic":
        return parse_mapping(generic_mapping_data(), "<generic preset>")
    text = files("revintel").joinpath(f"{_SOURCES}/{name}.yaml").read_text(encoding="utf-8")
    return _parse_yaml(text, f"{_SOURCES}/{name}.yaml")
