"""Apache Spark as a store: ``spark:///ABSOLUTE/WAREHOUSE/FOLDER``."""

from __future__ import annotations

import ibis
from ibis.backends import BaseBackend

from revintel.store._engines import Engine


def connect_spark(url: str) -> BaseBackend:
    """A Spark session for ``url`` with a persistent catalog."""
    return ibis.connect(url)


class SparkEngine(Engine):
    """Spark: writes staged and published in one step."""

    name = "pyspark"
