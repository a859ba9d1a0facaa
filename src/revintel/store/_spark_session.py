"""Where a Spark store lives and the Spark session serving it: URL, settings, one per process.

``spark:///ABSOLUTE/FOLDER`` runs Spark in this process with the catalog (an embedded Derby
metastore) and the warehouse inside the folder; ``spark://HOST:PORT/WAREHOUSE?metastore=…`` uses
a cluster's master and its shared Hive metastore.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

#: The master of a local store unless ``$REVINTEL_SPARK_MASTER`` names another (``local[*]``).
LOCAL_MASTER = "local[2]"
MASTER_ENV = "REVINTEL_SPARK_MASTER"
DRIVER_MEMORY_ENV = "REVINTEL_SPARK_DRIVER_MEMORY"
SHUFFLE_PARTITIONS_ENV = "REVINTEL_SPARK_SHUFFLE_PARTITIONS"
LOG_LEVEL_ENV = "REVINTEL_SPARK_LOG_LEVEL"
_QUERY_KEYS = ("metastore", "warehouse")


@dataclass(frozen=True)
class SparkLocation:
    """Where a Spark store lives, parsed from its URL (see :func:`parse_spark_url`)."""

    master: str
    warehouse: str
    #: Local form: the folder holding the warehouse and the embedded (Derby) metastore.
    folder: Path | None = None
    #: Cluster form: the Hive metastore every process shares (``thrift://HOST:PORT``).
    metastore: str | None = None


def parse_spark_url(url: str, environ: Mapping[str, str] | None = None) -> SparkLocation:
    """The master, warehouse and metastore a ``spark://`` URL names.

    ``spark:///ABSOLUTE/FOLDER`` is a local store (master ``local[2]`` or
    ``$REVINTEL_SPARK_MASTER``) with warehouse and metastore inside the folder;
    ``spark://HOST:PORT/WAREHOUSE?metastore=thrift://MHOST:9083`` uses the cluster's master and
    its Hive metastore (``&warehouse=hdfs://…`` gives the warehouse as a full URI instead).

    Examples
    --------
    >>> parse_spark_url("spark:///data/revintel", {}).warehouse
    '/data/revintel/warehouse'
    >>> parse_spark_url("spark://spark-master:7077/lake/revintel?metastore=thrift://hms:9083").master
    'spark://spark-master:7077'
    """
    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    if parts.scheme != "spark":
        raise ValueError(f"{url}: not a spark:// URL")
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(params) - set(_QUERY_KEYS))
    if unknown:
        names = ", ".join(unknown)
        raise ValueError(f"{url}: unknown parameter(s) {names}; known: metastore, warehouse")
    path = unquote(parts.path)
    if not parts.netloc:
        if params:
            raise ValueError(f"{url}: a local store (spark:///FOLDER) takes no parameters")
        if path in ("", "/"):
            raise ValueError(f"{url}: name the store's folder: spark:///ABSOLUTE/FOLDER")
        folder = Path(path)
        master = env.get(MASTER_ENV) or LOCAL_MASTER
        return SparkLocation(master, str(folder / "warehouse"), folder=folder)
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or not parts.hostname:
        raise ValueError(
            f"{url}: a cluster store is spark://HOST:PORT/WAREHOUSE?metastore=thrift://HOST:PORT; "
            "a local one spark:///ABSOLUTE/FOLDER (three slashes)"
        )
    metastore = params.get("metastore")
    if not metastore:
        raise ValueError(
            f"{url}: a cluster store needs the Hive metastore all its processes share: "
            "?metastore=thrift://HOST:9083"
        )
    warehouse = params.get("warehouse") or path
    if warehouse in ("", "/"):
        raise ValueError(f"{url}: name the warehouse folder after HOST:PORT, or ?warehouse=URI")
    return SparkLocation(f"spark://{parts.hostname}:{port}", warehouse, metastore=metastore)


_running: SparkLocation | None = None


def spark_session(location: SparkLocation) -> Any:
    """The process' Spark session for ``location`` (started on first use, then shared).

    One process serves one Spark store: its catalog settings are fixed when Spark starts.
    """
    global _running
    if _running is not None and _running != location:
        raise ValueError(
            f"this process already runs Spark for another store ({_running.warehouse}); "
            "one Spark store per process"
        )
    if location.folder is not None:
        location.folder.mkdir(parents=True, exist_ok=True)
        _check_metastore_free(location.folder, booted_here=_running == location)
    session = _start(location)
    _running = location
    return session


def _start(location: SparkLocation) -> Any:
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    builder = SparkSession.builder.master(location.master).appName("revintel")
    for key, value in spark_settings(location).items():
        builder = builder.config(key, value)
    with _console_to(_console_log(location)):
        session = builder.enableHiveSupport().getOrCreate()
    if session.conf.get("spark.sql.catalogImplementation") != "hive":
        raise ValueError(
            "a Spark session without a persistent catalog already runs in this process"
            if active is not None
            else "Spark started without Hive support (is the pyspark installation complete?)"
        )
    session.sparkContext.setLogLevel(os.environ.get(LOG_LEVEL_ENV) or "ERROR")
    return session


def _console_log(location: SparkLocation) -> Path:
    """Where the JVM's own console output goes: the store's folder, else the temp folder."""
    if location.folder is not None:
        return location.folder / "spark.log"
    return Path(tempfile.gettempdir()) / f"revintel-spark-{os.getuid()}.log"


@contextmanager
def _console_to(path: Path) -> Iterator[None]:
    """Start the JVM with its standard error going to ``path`` instead of the terminal.

    The JVM inherits the file descriptor when it starts, so its warnings (module notices,
    Derby, Hive) land in the log file while revintel's own messages reach the terminal.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with path.open("ab") as log:
            os.dup2(log.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def spark_settings(location: SparkLocation) -> dict[str, str]:
    """The Spark configuration of a store: quiet, small for local mode, catalog in place."""
    local = location.folder is not None
    level = os.environ.get(LOG_LEVEL_ENV) or "ERROR"
    java = [f"-Dlog4j2.configurationFile=file:{_log_config(level)}"]
    settings = {
        "spark.sql.warehouse.dir": location.warehouse,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": os.environ.get(SHUFFLE_PARTITIONS_ENV)
        or ("4" if local else "200"),
        "spark.driver.memory": os.environ.get(DRIVER_MEMORY_ENV) or "2g",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    }
    if location.folder is not None:
        metastore = location.folder / "metastore_db"
        java.append(f"-Dderby.stream.error.file={location.folder / 'derby.log'}")
        settings["spark.ui.enabled"] = "false"
        settings["spark.hadoop.javax.jdo.option.ConnectionURL"] = (
            f"jdbc:derby:;databaseName={metastore};create=true"
        )
    if location.metastore is not None:
        settings["spark.hadoop.hive.metastore.uris"] = location.metastore
    settings["spark.driver.extraJavaOptions"] = " ".join(java)
    return settings


def _log_config(level: str) -> Path:
    """A log4j2 configuration printing only ``level`` and worse (Spark's default is chatty)."""
    path = Path(tempfile.gettempdir()) / f"revintel-spark-log4j2-{level.lower()}.properties"
    text = (
        f"rootLogger.level = {level.lower()}\n"
        "rootLogger.appenderRef.stderr.ref = stderr\n"
        # Spark announces its shell log level unless this logger has one of its own.
        "logger.repl.name = org.apache.spark.repl.Main\n"
        f"logger.repl.level = {level.lower()}\n"
        "appender.console.type = Console\n"
        "appender.console.name = stderr\n"
        "appender.console.target = SYSTEM_ERR\n"
        "appender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex\n"
    )
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    return path


def _check_metastore_free(folder: Path, *, booted_here: bool) -> None:
    """Refuse clearly when another process holds the folder's embedded metastore.

    Derby, the embedded metastore, admits one process at a time and locks ``dbex.lck`` while
    it is booted; the same POSIX lock probed here tells before Spark fails with a long trace.
    """
    lock = folder / "metastore_db" / "dbex.lck"
    if booted_here or not lock.exists():
        return
    import fcntl

    with lock.open("r+b") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ValueError(
                f"another process has the Spark store {folder} open (its embedded metastore "
                "admits one process at a time); for concurrent processes use a cluster "
                "metastore: spark://HOST:PORT/WAREHOUSE?metastore=thrift://HOST:9083"
            ) from None
        fcntl.lockf(handle, fcntl.LOCK_UN)


__all__ = ["SparkLocation", "parse_spark_url", "spark_session", "spark_settings"]
