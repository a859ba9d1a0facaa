"""The response-time effect: the logistic fit on simulated data, the planted effect recovered
from a small demo company, and ``revintel sla`` on the command line.

Tolerance of the recovery: the planted −0.15 must lie inside the 99 % Wald interval and the
whole 95 % interval below zero. At 6,000 leads the standard error is about 0.03, so the 99 %
interval spans ±0.08; over the benchmark's seeds (docs/sla.md) the estimates sit within
0.05 of the planted value, the interval is wide enough for the omitted engagement's mild
attenuation, and a wrong sign or a missing effect would fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit
from typer.testing import CliRunner

from revintel.alignment._response_effect import estimate_response_effect, fit_logistic
from revintel.cli import app
from revintel.metrics import MetricSources
from revintel.store import open_store
from revintel.synth import _config as c
from tests.alignment.sla_store import sla_store

Z99 = 2.5758
runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sla_store(tmp_path_factory)


def test_the_fit_recovers_simulated_coefficients_and_errors() -> None:
    rng = np.random.default_rng(3)
    n, true = 20_000, np.array([-0.4, 0.5, 1.0])
    x = np.column_stack([rng.normal(size=n), np.ones(n), rng.random(n) < 0.3])
    estimates = []
    for _ in range(20):
        y = (rng.random(n) < expit(x @ true)).astype(float)
        beta, cov = fit_logistic(x, y)
        estimates.append(beta[0])
    se = float(np.sqrt(cov[0, 0]))
    assert np.mean(estimates) == pytest.approx(-0.4, abs=0.01)
    # the model's standard error matches the spread over repeated samples
    assert np.std(estimates, ddof=1) == pytest.approx(se, rel=0.4)


def test_the_planted_effect_is_recovered(db: Path) -> None:
    with open_store(db, read_only=True) as store:
        effect = estimate_response_effect(MetricSources.from_store(store))
    planted = c.RESPONSE_TIME_EFFECT
    assert planted == -0.15
    low, high = (
        effect.coefficient - Z99 * effect.std_error,
        effect.coefficient + Z99 * effect.std_error,
    )
    assert low <= planted <= high
    assert effect.upper < 0 and 0.02 < effect.std_error < 0.04
    assert effect.leads > 5_900 and 0.5 < effect.accepted / effect.leads < 0.8
    assert effect.doubling_change == pytest.approx(2**effect.coefficient - 1)


def test_sla_effect_prints_the_doubling_sentence(db: Path) -> None:
    result = runner.invoke(app, ["sla", "effect", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Each doubling of response time lowers acceptance odds by" in result.output
    raw = runner.invoke(app, ["sla", "effect", "--db", str(db), "--format", "json"])
    record = json.loads(raw.output)[0]
    change = f"{abs(record['doubling_change']) * 100:.1f}%"
    assert change in result.output
    german = runner.invoke(app, ["sla", "effect", "--db", str(db), "--lang", "de"])
    assert "Jede Verdopplung der Reaktionszeit senkt" in german.output


def test_sla_status_and_breaches_on_the_command_line(db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["sla", "status", "--db", str(db), "--by", "segment", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["segment"] for r in rows} == {"Enterprise", "Mittelstand", "Kleinunternehmen"}
    assert sum(r["due"] + r["open"] for r in rows if r["level"] == "accept") == 6_000
    german = runner.invoke(app, ["sla", "status", "--db", str(db), "--lang", "de"])
    assert "Erstkontakt" in german.output and "Erfüllung" in german.output
    breaches = runner.invoke(app, ["sla", "breaches", "--db", str(db), "-f", "csv"])
    lines = breaches.output.strip().splitlines()
    assert lines[0].startswith("lead_id,level,mql_at,due_at,waited_hours") and len(lines) > 1
    bad = tmp_path / "sla.yaml"
    bad.write_text("contact_kinds: []\ndefault: {accept_hours: 1, first_contact_hours: 1}\n")
    refused = runner.invoke(app, ["sla", "status", "--db", str(db), "--sla", str(bad)])
    assert refused.exit_code == 2 and "contact_kinds" in refused.output
