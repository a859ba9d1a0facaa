"""Deal score on the demo company: out-of-time metrics, registry, apply, explain, reproduction."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit

from revintel.model import load_funnel
from revintel.predict import (
    DEAL_SPEC,
    GradientBoostingScorer,
    RealTimeScorer,
    TrainingResult,
    apply_scores,
    current_frame,
    explain_entity,
    list_models,
    load_model,
    render_report,
    score_frame,
    target,
    train_score,
    training_frame,
)
from revintel.predict._price_features import with_band_features
from revintel.store import Store, open_store
from revintel.synth import write_demo_company
from revintel.synth._config import PRICE_RESPONSE_PER_DISCOUNT
from tests.predict.conftest import CONFIG, copy_store


@pytest.fixture(scope="module")
def trained(module_db: Path) -> TrainingResult:
    with open_store(module_db) as store:
        result = train_score(store, "deal_win")
        apply_scores(store, "deal_win")
    return result


def _row(result: TrainingResult, algorithm: str) -> pd.Series:
    frame = result.comparison.set_index("algorithm")
    return frame.loc[algorithm]


#: How far below the best baseline's test AUC the chosen model may fall on average over seeds:
#: the choice is made on the validation window, so on a test window a baseline can edge ahead.
AUC_TOLERANCE = 0.02
BASELINES = ("naive_bayes", "points", "milestone_prior")


def test_the_choice_follows_the_validation_window(trained: TrainingResult) -> None:
    frame = trained.comparison.set_index("algorithm")
    chosen = trained.record.algorithm
    assert frame["chosen"].sum() == 1 and frame.loc[chosen, "chosen"]
    if chosen == "lightgbm":
        for baseline in BASELINES:
            assert frame.loc["lightgbm", "validation_auc"] > frame.loc[baseline, "validation_auc"]
    else:  # the fallback is the baseline with the best validation log loss
        assert trained.record.status == "fallback"
        assert chosen == frame.loc[list(BASELINES), "validation_log_loss"].idxmin()


def test_the_chosen_deal_score_ranks_well_on_the_test_window(trained: TrainingResult) -> None:
    gbm, chosen = _row(trained, "lightgbm"), _row(trained, trained.record.algorithm)
    assert chosen["auc"] > 0.6
    assert gbm["rows"] > 1_000 and 0.2 < gbm["positives"] / gbm["rows"] < 0.6
    # the funnel's default milestone probabilities rank deals but are not calibrated to them
    assert _row(trained, "milestone_prior")["auc"] > 0.55
    assert _row(trained, "milestone_prior")["log_loss"] > gbm["log_loss"]


#: Seeds of the small demo company on which choice and price response are judged: the fixture's
#: and the first four. Which algorithm ranks best on one company's test window is close to a coin
#: toss between LightGBM and naive Bayes at this size, and the price response learned from one
#: company's thousand negotiations varies by ±0.5 logit, so claims are about the seeds' mean.
CHOICE_SEEDS = (7, 1, 2, 3, 4)


def _deal_gbm(store: Store) -> RealTimeScorer:
    """LightGBM fitted on every deal snapshot, whichever model the registry chose, with the
    price bands as training fits them (point in time; the last ones scoring new records)."""
    history = training_frame(store, target("deal_win", 90), load_funnel())
    history, bands = with_band_features(store, history, pd.Timestamp(history["at"].max()))
    model = GradientBoostingScorer(spec=DEAL_SPEC).fit(history, history["label"].to_numpy())
    model.encoder_.use_price_bands(bands)
    return RealTimeScorer(model, "lightgbm")


#: A deal in contract negotiation, priced at a discount of 5 % or 20 % (Mittelstand norm: 10 %).
NEGOTIATION = {"milestone": "contract_negotiation", "milestone_rank": 7.0, "segment": "Mittelstand",
               "industry": "Maschinenbau", "age_days": 60.0, "quotes": 2.0, "sales_touches": 4.0,
               "rep_win_rate": 0.45, "rep_industry_win_rate": 0.45}  # fmt: skip
DISCOUNTS = (0.05, 0.20)


def _price_scores(scorer: RealTimeScorer) -> tuple[float, float]:
    """The win chance of :data:`NEGOTIATION` at the low and at the high discount."""
    low, high = (
        float(scorer.score({**NEGOTIATION, "discount": d}, reasons=False)["score"])
        for d in DISCOUNTS
    )
    return low, high


@pytest.fixture(scope="module")
def seed_results(trained: TrainingResult, deal_gbm: RealTimeScorer) -> pd.DataFrame:
    """Per seed and algorithm the test-window comparison, with the LightGBM price scores."""
    first = trained.comparison
    frames = [first.assign(seed=CONFIG.seed, price=[_price_scores(deal_gbm)] * len(first))]
    for seed in CHOICE_SEEDS:
        if seed == CONFIG.seed:
            continue
        with open_store(":memory:") as store:
            write_demo_company(store, replace(CONFIG, seed=seed))
            comparison = train_score(store, "deal_win").comparison
            price = _price_scores(_deal_gbm(store))
        frames.append(comparison.assign(seed=seed, price=[price] * len(comparison)))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.slow
def test_the_choice_ranks_as_well_as_the_best_baseline_over_seeds(
    seed_results: pd.DataFrame,
) -> None:
    comparisons = seed_results
    auc = comparisons.pivot(index="seed", columns="algorithm", values="auc")
    chosen = comparisons[comparisons["chosen"]].set_index("seed")["auc"]
    # the best baseline is picked with hindsight on the test window, the choice was not
    best_baseline = auc[list(BASELINES)].max(axis=1)
    assert sorted(chosen.index) == sorted(CHOICE_SEEDS) and (chosen > 0.6).all()
    assert (chosen - best_baseline).mean() >= -AUC_TOLERANCE
    assert (auc["lightgbm"] - best_baseline).mean() >= -AUC_TOLERANCE
    # calibrated on the training window, LightGBM has a lower log loss than the defaults
    log_loss = comparisons.pivot(index="seed", columns="algorithm", values="log_loss")
    assert (log_loss["milestone_prior"] > log_loss["lightgbm"]).all()


def test_registry_keeps_window_features_metrics_and_versions(
    trained: TrainingResult, module_store: Store
) -> None:
    record = load_model(module_store, "deal_win")
    assert record.model_id == trained.record.model_id
    assert record.train_to is not None and record.test_to is not None
    horizon = pd.Timedelta(days=record.metrics["horizon_days"])
    # the registered model learned from training and validation rows, whose labels were all
    # known when the test window began
    assert record.train_to + horizon == pd.Timestamp(record.metrics["test_from"])
    assert record.test_to <= pd.Timestamp("2024-12-31 23:57:48.689899") - horizon
    validation_from = pd.Timestamp(record.metrics["validation_from"])
    assert pd.Timestamp(record.metrics["choice_train_to"]) + horizon == validation_from
    assert {"discount_vs_norm", "age_vs_typical", "rep_industry_win_rate"} <= set(record.features)
    assert set(record.baseline_metrics) == {"naive_bayes", "points", "milestone_prior"}
    assert {"lightgbm", "scikit-learn", "numpy"} <= set(record.library_versions)
    assert record.metrics["train_positives"] >= 120


def test_open_deals_are_scored_with_the_model_version(
    trained: TrainingResult, module_store: Store
) -> None:
    scores = module_store.table("scores").to_pandas()
    opps = module_store.table("opportunities").to_pandas()
    assert set(scores["model_id"]) == {trained.record.model_id}
    assert set(scores["entity_id"]) == set(opps.loc[opps["status"] == "open", "opportunity_id"])
    assert scores["score"].between(0.01, 0.99).all()
    reasons = json.loads(scores["reasons"].iloc[0])
    assert set(reasons) == {"positive", "negative"}


def test_scores_are_reproducible_from_the_registry(
    trained: TrainingResult, module_store: Store
) -> None:
    record = load_model(module_store, "deal_win")
    stored = module_store.table("scores").to_pandas().set_index("entity_id")["score"]
    as_of = pd.Timestamp(module_store.table("scores").scored_at.max().execute()).to_pydatetime()
    frame = current_frame(module_store, target("deal_win"), load_funnel(), as_of)
    again = pd.Series(record.scorer().predict_proba(frame)[:, 1], index=frame["entity_id"])
    assert np.allclose(again.sort_index(), stored.sort_index(), rtol=0, atol=1e-12)


def test_retraining_on_the_same_data_gives_the_same_model(
    trained: TrainingResult, module_db: Path, tmp_path: Path
) -> None:
    # on a copy, so the module's registry keeps the model the other tests read
    with open_store(copy_store(module_db, tmp_path)) as store:
        again = train_score(store, "deal_win")
        statuses = {r.model_id: r.status for r in list_models(store)}
    assert again.record.artifact == trained.record.artifact
    assert again.record.metrics["auc"] == trained.record.metrics["auc"]
    # the id ends with a digest of the artifact: same model, same suffix
    assert again.record.model_id.rsplit("-", 1)[1] == trained.record.model_id.rsplit("-", 1)[1]
    assert statuses[again.record.model_id] == trained.record.status
    if again.record.model_id != trained.record.model_id:
        assert statuses[trained.record.model_id] == "retired"


def test_explain_gives_reasons_in_german_and_english(
    trained: TrainingResult, module_store: Store
) -> None:
    scores = module_store.table("scores").to_pandas().sort_values("score")
    entity = scores["entity_id"].iloc[-1]
    (result,) = explain_entity(module_store, entity)
    assert result["score"] == pytest.approx(scores["score"].iloc[-1], abs=1e-9)
    positive = result["reasons"]["positive"]
    assert positive and all(r["effect"] > 0 for r in positive)
    assert positive[0]["de"] != positive[0]["en"]


@pytest.fixture(scope="module")
def deal_gbm(module_db: Path) -> RealTimeScorer:
    """LightGBM fitted on every deal snapshot of the fixture's company."""
    with open_store(module_db, read_only=True) as store:
        return _deal_gbm(store)


def test_a_price_above_the_segment_norm_raises_the_win_chance(deal_gbm: RealTimeScorer) -> None:
    low, high = _price_scores(deal_gbm)
    assert high > low
    explained = deal_gbm.score({**NEGOTIATION, "discount": DISCOUNTS[1]})
    sentences = [r["en"] for r in explained["reasons"]["positive"]]
    assert any("discount" in s for s in sentences)


@pytest.mark.slow
def test_the_price_response_agrees_with_the_planted_one_over_seeds(
    seed_results: pd.DataFrame,
) -> None:
    price = seed_results.groupby("seed")["price"].first()
    low, high = np.array(price.tolist()).T
    assert (high > low).all()
    # Planted: the win chance at negotiation moves by PRICE_RESPONSE_PER_DISCOUNT logit per unit
    # of discount above the segment's norm, whatever the deal's other traits. Averaged over what
    # the score does not see it is a little flatter; it lies within two standard errors.
    planted = PRICE_RESPONSE_PER_DISCOUNT * (DISCOUNTS[1] - DISCOUNTS[0])
    learned = logit(high) - logit(low)
    sem = learned.std(ddof=1) / np.sqrt(len(learned))
    assert abs(learned.mean() - planted) < 2 * sem


def test_one_record_is_scored_in_process(trained: TrainingResult, module_store: Store) -> None:
    current = load_model(module_store, "deal_win")
    scorer = RealTimeScorer.from_record(current)
    record = {"milestone": "offer_sent", "milestone_rank": 5.0, "discount": 0.1}
    scored = scorer.score(record, reasons=False)
    assert 0 < scored["score"] < 1
    assert scored["model_id"] == current.model_id and "reasons" not in scored


def test_report_has_calibration_and_lift_charts(
    trained: TrainingResult, module_store: Store
) -> None:
    record = load_model(module_store, "deal_win")
    page = render_report([record])
    assert "Calibration" in page and "Lift (cumulative)" in page and "<html lang='en'>" in page
    assert page.count("lightgbm") >= 3 and "milestone_prior" in page
    assert 'src="https://cdn.plot.ly' not in page and "Plotly.newPlot" in page
    german = render_report([record], "de")
    assert "Kalibrierung" in german and "Lift (kumuliert)" in german
    assert "<th>Gewählt</th>" in german
    assert html.escape(record.metrics["message_de"]) in german
    assert record.metrics["message"] not in german and "Calibration" not in german


def test_real_time_scores_and_reasons_equal_the_batch_ones(
    trained: TrainingResult, module_store: Store
) -> None:
    record = load_model(module_store, "deal_win")
    as_of = pd.Timestamp(module_store.table("scores").scored_at.max().execute()).to_pydatetime()
    frame = current_frame(module_store, target("deal_win"), load_funnel(), as_of).head(25)
    batch = score_frame(record.scorer(), frame)
    scorer = RealTimeScorer.from_record(record)
    for values, expected in zip(frame.to_dict(orient="records"), batch.itertuples(), strict=True):
        single = scorer.score(values)
        assert single["score"] == pytest.approx(expected.score, abs=1e-12)
        assert single["reasons"] == expected.reasons
