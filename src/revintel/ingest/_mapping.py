"""Source mappings: how a system's export files map onto the integrated data model.

A mapping is YAML validated into frozen pydantic models; the presets in ``conf/sources`` use the
same format a user writes for the ``generic`` preset. Errors name the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from revintel.ingest._expressions import ExpressionError, lookup_names, parse_expression
from revintel.ingest._generic import generic_mapping_data
from revintel.ingest._reading import IngestError
from revintel.model import TABLES_BY_NAME, parse_yaml_mapping, table
from revintel.store import parse_timezone

_SOURCES = "conf/sources"
#: Pseudo-column for a fallback: the latest date found in the object's date fields.
SNAPSHOT = "@snapshot"
#: Generated id parts: the file's row number, and the how-manieth time the other id columns'
#: combination occurs in the file.
ROW, OCCURRENCE = "@row", "@occurrence"
#: How a grouped object's field combines the values of its group's rows.
Aggregate = Literal["sum", "min", "max", "first", "count", "count_distinct"]


def _aliases(value: str | list[str]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    return tuple(alias.strip() for item in items for alias in item.split("|") if alias.strip())


class FieldSpec(BaseModel):
    """Where one model column comes from.

    ``column`` lists header names to look for (first present wins; ``"A|B"`` also works);
    ``values`` maps source values to stored ones (case-insensitive); ``ref`` names the table a
    source id points to; ``fallback`` names another model column (or ``@snapshot``) used when the
    cell is empty; ``constant`` fills every row; ``aggregate`` (objects with ``group_by`` only)
    combines the values of a group's rows. With ``across_systems`` a ``ref`` may also name a
    record of another system, by its store key or its id there (a cost sheet naming the
    CRM's campaigns).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    column: tuple[str, ...] = ()
    values: dict[str, str] = Field(default_factory=dict)
    ref: str | None = None
    fallback: str | None = None
    constant: str | None = None
    aggregate: Aggregate | None = None
    across_systems: bool = False

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


CustomType = Literal["number", "text", "flag", "date"]
#: A custom field's name: also its dimension (``custom.<name>``) and feature name.
CustomName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class CustomFieldSpec(BaseModel):
    """A source's own attribute kept as a custom field of the object's table.

    ``column`` lists header names (first present wins; ``"A|B"`` also works); ``type`` is
    number, text, flag or date, parsed like model fields; ``observed_at`` optionally names a
    column dating the value (otherwise the value counts from the import's time).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    column: tuple[str, ...]
    type: CustomType
    observed_at: tuple[str, ...] = ()

    @field_validator("column", "observed_at", mode="before")
    @classmethod
    def _split(cls, value: str | list[str]) -> tuple[str, ...]:
        return _aliases(value)


class ObjectSpec(BaseModel):
    """One kind of export file (e.g. Salesforce ``Opportunity``) and its target table.

    A file is recognised when every ``detect`` entry (``"A|B"`` = either) is among its headers.
    ``id`` lists the columns that form the record's id in the source. For ``table: milestones``
    (stage history tables) the fields ``entity_id``, ``occurred_at`` and ``source_stage`` are
    required and ``entity`` says whose history it is. ``source`` reads the object from a table or
    query of the store's engine instead of a file (then ``detect`` may be left out).

    Shaping (see docs/import.md): ``where`` keeps the rows for which every expression is true;
    ``computed`` adds columns from expressions; ``from`` feeds the object with the rows of
    another object of the same file (after that object's ``where`` and ``computed``), instead
    of a ``detect`` of its own; ``group_by`` makes one record per distinct value (or
    combination) of its columns, the fields then naming an ``aggregate``. ``id`` may use
    ``@row`` and ``@occurrence`` where the source has no unique id. ``custom`` declares the
    source's own attributes kept as custom fields (:class:`CustomFieldSpec`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    table: str
    detect: tuple[str, ...] = ()
    source: SourceSpec | None = None
    from_: str | None = Field(default=None, alias="from")
    where: tuple[str, ...] = ()
    computed: dict[str, str] = Field(default_factory=dict)
    group_by: tuple[str, ...] = ()
    id: tuple[str, ...] = ()
    entity: str | None = None
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    stage: StageSpec | None = None
    date_format: str | None = None
    decimal: str | None = None
    custom: dict[CustomName, CustomFieldSpec] = Field(default_factory=dict)

    @field_validator("detect", "id", "where", "group_by", mode="before")
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


class GuestSpec(BaseModel):
    """The account orders without a customer number are booked on (``<system>:<id>``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = "guest"
    name: str


class SourceMapping(BaseModel):
    """A source system's export files: its name, extra stage names, formats and objects.

    ``timezone`` is the IANA zone the system writes times in (``UTC`` for most cloud CRMs);
    unset, times are taken to be in the store's zone. ``lookups`` are named value maps for the
    ``lookup()`` of expressions; ``guest_customer`` is the account of orders without a customer.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    system: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    stages: dict[str, str] = Field(default_factory=dict)
    date_format: str | None = None
    decimal: str | None = None
    timezone: str | None = None
    lookups: dict[str, dict[str, str]] = Field(default_factory=dict)
    guest_customer: GuestSpec | None = None
    objects: dict[str, ObjectSpec]
    #: Where the mapping was read from, named in errors found while importing.
    _origin: str = PrivateAttr(default="<mapping>")

    @property
    def origin(self) -> str:
        """The mapping's file (or preset) name, for messages."""
        return self._origin

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
        if not obj.detect and obj.source is None and obj.from_ is None:
            errors.append(f"objects.{name}.detect: needs the headers that identify its files")
    return errors


def _check_shaping(mapping: SourceMapping) -> list[str]:
    """Errors in ``from``, ``group_by``, aggregates and expressions (file columns aside)."""
    errors = []
    for name, obj in mapping.objects.items():
        at = f"objects.{name}"
        if obj.from_ is not None:
            feeder = mapping.objects.get(obj.from_)
            if feeder is None:
                errors.append(f"{at}.from: no object {obj.from_!r} in this mapping")
            elif feeder.from_ is not None or feeder.source is not None:
                errors.append(f"{at}.from: {obj.from_!r} must be an object read from files")
            if obj.detect or obj.source is not None:
                errors.append(f"{at}.from: an object fed from another has no detect or source")
        for column, fspec in obj.fields.items():
            if fspec.aggregate is not None and not obj.group_by:
                errors.append(f"{at}.fields.{column}.aggregate: only with group_by")
        if obj.group_by:
            generated = [c for c in obj.id if c in {ROW, OCCURRENCE}]
            if generated:
                errors.append(f"{at}.id: {generated[0]} cannot identify a group")
        texts = [(f"where[{i}]", t) for i, t in enumerate(obj.where)]
        texts += [(f"computed.{k}", t) for k, t in obj.computed.items()]
        for key, text in texts:
            try:
                names = lookup_names(parse_expression(text))
            except ExpressionError as exc:
                errors.append(f"{at}.{key}: {exc}")
                continue
            unknown = [n for n in names if n not in mapping.lookups]
            if unknown:
                known = ", ".join(mapping.lookups) or "none declared"
                errors.append(f"{at}.{key}: unknown lookup {unknown[0]!r} (lookups: {known})")
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
    errors = [f"{origin}: {e}" for e in [*_check_fields(mapping), *_check_shaping(mapping)]]
    if errors:
        raise IngestError("\n".join(errors))
    mapping._origin = origin
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
