"""The integrated data model and the funnel definition: what every other part builds on."""

from revintel.model._declarative import (
    field_path,
    parse_yaml_mapping,
    read_yaml_mapping,
    validation_messages,
)
from revintel.model._funnel import (
    FunnelDefinition,
    FunnelDefinitionError,
    Labels,
    Milestone,
    load_funnel,
    parse_funnel,
)
from revintel.model._schema import (
    ALL_TABLES,
    IMPORT_BATCH_ID,
    SCHEMA_VERSION,
    SOURCE_ID,
    SOURCE_SYSTEM,
    SYSTEM_TABLES,
    TABLES,
    TABLES_BY_NAME,
    Column,
    Table,
    table,
    tables_at,
)

__all__ = [
    "ALL_TABLES",
    "IMPORT_BATCH_ID",
    "SCHEMA_VERSION",
    "SOURCE_ID",
    "SOURCE_SYSTEM",
    "SYSTEM_TABLES",
    "TABLES",
    "TABLES_BY_NAME",
    "Column",
    "FunnelDefinition",
    "FunnelDefinitionError",
    "Labels",
    "Milestone",
    "Table",
    "field_path",
    "load_funnel",
    "parse_funnel",
    "parse_yaml_mapping",
    "read_yaml_mapping",
    "table",
    "tables_at",
    "validation_messages",
]
