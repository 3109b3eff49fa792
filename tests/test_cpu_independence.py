"""The picks a member is dealt do not depend on the machine (issue 19).

CI runs on other CPUs than the one a change is written on: numpy picks SIMD kernels
(AVX2, AVX-512) at run time and OpenBLAS a dot-product kernel per CPU, so floats can
differ in their last bits, and unstable sorts order ties differently. The README example
once failed on an AVX-512 machine that way. These tests deal the same fixed set of
requests (``tests/cpu_deals.py``: vibes, recommend pages, for you, playlists, blends,
typo lookups) under perturbations and demand the very same songs:

- in subprocesses with every numpy SIMD path this CPU has switched off, with another
  BLAS kernel and with one thread instead of two;
- in this process with the output of every CPU-dependent step that scores feed on
  (numpy's ``log`` and ``exp``, the BLAS products behind similarities) jittered by a
  few ulps. (Misfits of mood words are elementwise float32 arithmetic on saved arrays,
  correctly rounded on every CPU, so they are not jittered: a deterministic order of
  continuous scores cannot survive jitter of the scores themselves, rounding or not.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine import recommend as recommend_module
from engine.listeners.taste import TasteModel
from engine.paths import STUDY_SAMPLE_FILE
from engine.service import Engine

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "cpu_deals.py"
sys.path.insert(0, str(ROOT / "tests"))
from cpu_deals import deals  # noqa: E402

#: ulps by which the jitter moves each score at most
JITTER_ULPS = 3


def simd_paths_found() -> list[str]:
    """numpy's run-time dispatch targets this CPU has (what NPY_DISABLE_CPU_FEATURES can turn off)."""
    from numpy._core import _multiarray_umath as umath

    return [f for f in umath.__cpu_dispatch__ if umath.__cpu_features__.get(f)]


PERTURBATIONS: dict[str, dict[str, str]] = {
    "numpy SIMD paths off": {"NPY_DISABLE_CPU_FEATURES": " ".join(simd_paths_found())},
    "oldest BLAS kernel": {"OPENBLAS_CORETYPE": "Prescott"},
    "one thread": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
}


def _deal_in_subprocess(args: list[str], extra_env: dict[str, str], cwd: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={**os.environ, **extra_env},
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def _differences(plain: dict[str, Any], perturbed: dict[str, Any]) -> list[str]:
    return sorted(k for k in plain if plain[k] != perturbed.get(k))


@pytest.mark.slow
@pytest.mark.parametrize("perturbation", sorted(PERTURBATIONS))
def test_deals_are_the_same_whatever_simd_path_blas_kernel_or_thread_count(
    default_model_path: Path, perturbation: str
) -> None:
    """Serving: the default catalog's saved model, loaded by two processes."""
    extra = PERTURBATIONS[perturbation]
    if not any(extra.values()):
        pytest.skip("this CPU has no numpy SIMD path above the baseline to switch off")
    args, cwd = ["--model", str(default_model_path)], default_model_path.parent
    plain = _deal_in_subprocess(args, {}, cwd)
    differ = _differences(plain, _deal_in_subprocess(args, extra, cwd))
    assert not differ, f"{perturbation} changed {len(differ)} of {len(plain)} deals: {differ[:10]}"


@pytest.mark.slow
@pytest.mark.parametrize("perturbation", sorted(PERTURBATIONS))
def test_a_model_fitted_under_another_simd_path_kernel_or_thread_count_deals_the_same(
    engine, tmp_path: Path, perturbation: str
) -> None:
    """Fitting too (K-Means runs OpenMP threads and BLAS): the study sample fitted in a
    perturbed process deals what the session's model deals here."""
    extra = PERTURBATIONS[perturbation]
    if not any(extra.values()):
        pytest.skip("this CPU has no numpy SIMD path above the baseline to switch off")
    plain = deals(Engine(engine.model))
    differ = _differences(plain, _deal_in_subprocess(["--fit", str(STUDY_SAMPLE_FILE)], extra, tmp_path))
    assert not differ, f"{perturbation} changed {len(differ)} of {len(plain)} deals: {differ[:10]}"


def _jitter(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``values`` each moved by up to JITTER_ULPS ulps of its own precision, either way."""
    steps = rng.integers(-JITTER_ULPS, JITTER_ULPS + 1, size=np.shape(values))
    return (values + steps * np.spacing(values)).astype(np.asarray(values).dtype)


@pytest.fixture
def jittered(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Switch on ulp jitter of every score that decides an order (call the fixture's value)."""

    def switch_on() -> None:
        rng = np.random.default_rng(19)
        log, exp = np.log, np.exp
        similarities = recommend_module.Recommender._similarities
        similarity = TasteModel.similarity

        def jittered_similarities(self: Any, seed: int, out: np.ndarray) -> np.ndarray:
            sims = similarities(self, seed, out)
            sims[:] = _jitter(sims, rng)
            return sims

        def jittered_similarity(self: Any, a: Any, b: Any) -> np.ndarray:
            return _jitter(similarity(self, a, b), rng)

        monkeypatch.setattr(np, "log", lambda x, *a, **k: _jitter(log(x, *a, **k), rng))
        monkeypatch.setattr(np, "exp", lambda x, *a, **k: _jitter(exp(x, *a, **k), rng))
        monkeypatch.setattr(recommend_module.Recommender, "_similarities", jittered_similarities)
        monkeypatch.setattr(TasteModel, "similarity", jittered_similarity)

    yield switch_on


@pytest.fixture
def shuffled_ties(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Switch on numpy sorts and partitions that leave equal values in another order, as
    the SIMD sorts of another CPU do (stable sorts keep their guarantee)."""

    def switch_on() -> None:
        rng = np.random.default_rng(20)
        argpartition, argsort, partition = np.argpartition, np.argsort, np.partition

        def shuffled(a: Any, axis: int) -> tuple[np.ndarray, np.ndarray]:
            a = np.asarray(a)
            perm = rng.permutation(a.shape[axis])
            return np.take(a, perm, axis=axis), perm

        def new_argpartition(a: Any, kth: Any, axis: int = -1, **kw: Any) -> np.ndarray:
            if np.ndim(a) == 0 or axis is None:
                return argpartition(a, kth, axis=axis, **kw)
            b, perm = shuffled(a, axis)
            return perm[argpartition(b, kth, axis=axis, **kw)]

        def new_argsort(a: Any, axis: int | None = -1, kind: str | None = None, **kw: Any) -> np.ndarray:
            if kind in ("stable", "mergesort") or np.ndim(a) == 0 or axis is None:
                return argsort(a, axis=axis, kind=kind, **kw)
            b, perm = shuffled(a, axis)
            return perm[argsort(b, axis=axis, kind=kind, **kw)]

        monkeypatch.setattr(np, "argpartition", new_argpartition)
        monkeypatch.setattr(np, "argsort", new_argsort)
        monkeypatch.setattr(np, "partition", lambda a, kth, **kw: partition(shuffled(a, -1)[0], kth, **kw))

    yield switch_on


# In-process perturbations run on the study sample's model (the fast tier builds no model of
# the 70,000-song default); the processes above deal on the default catalog's.
def test_ties_left_in_another_order_by_numpys_sorts_deal_the_same_songs(engine, shuffled_ties) -> None:
    plain = deals(Engine(engine.model))
    shuffled_ties()
    perturbed = deals(Engine(engine.model))
    differ = _differences(plain, perturbed)
    assert not differ, f"shuffled ties changed {len(differ)} of {len(plain)} deals: {differ[:10]}"


def test_scores_jittered_by_a_few_ulps_deal_the_same_songs(engine, jittered) -> None:
    plain = deals(Engine(engine.model))
    jittered()
    perturbed = deals(Engine(engine.model))  # a new engine: nothing cached from the plain run
    differ = _differences(plain, perturbed)
    assert not differ, f"jitter changed {len(differ)} of {len(plain)} deals: {differ[:10]}"


def test_the_jitter_really_moves_the_scores(engine, jittered) -> None:
    """The check above is only worth something if the jitter reaches the scores."""
    engine = Engine(engine.model)
    before = engine.recommender.similarities(5)[1].copy()
    kernel_before = engine._taste_model().similarity([1, 2, 3], list(range(100)))
    jittered()
    after = engine.recommender.similarities(5)[1]
    kernel_after = engine._taste_model().similarity([1, 2, 3], list(range(100)))
    assert not np.array_equal(before, after) and np.allclose(before, after, rtol=1e-6)
    assert not np.array_equal(kernel_before, kernel_after) and np.allclose(kernel_before, kernel_after)


def test_ties_left_in_another_order_deal_the_same_on_the_default_catalog(
    default_engine, shuffled_ties
) -> None:
    """The catalog where the README's deal once flipped (one-sided mood words tie many songs)."""
    plain = deals(Engine(default_engine.model))
    shuffled_ties()
    differ = _differences(plain, deals(Engine(default_engine.model)))
    assert not differ, f"shuffled ties changed {len(differ)} of {len(plain)} deals: {differ[:10]}"
