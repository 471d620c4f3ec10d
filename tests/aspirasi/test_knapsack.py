"""The shortlist's knapsack is exact: against brute force on small random cases, and it keeps to the capacity."""

import itertools
import random

import numpy as np
import pytest

from aspirasi import knapsack as knapsack_module
from aspirasi.knapsack import knapsack


def _best(profits, weights, capacity) -> int:
    n = len(profits)
    best = 0
    for chosen in itertools.product((0, 1), repeat=n):
        if sum(w for w, c in zip(weights, chosen, strict=True) if c) <= capacity:
            best = max(best, sum(p for p, c in zip(profits, chosen, strict=True) if c))
    return best


@pytest.mark.parametrize("core_solver", ["dynamic program", "highs"])
@pytest.mark.parametrize("seed", range(100))
def test_optimum_equals_brute_force(seed, core_solver, monkeypatch):
    if core_solver == "highs":
        monkeypatch.setattr(knapsack_module, "DP_CELLS", 0)
    rng = random.Random(seed)
    n = rng.randint(0, 11)
    profits = [rng.randint(0, 60) for _ in range(n)]
    weights = [rng.randint(0, 40) * 1_000_000 for _ in range(n)]
    capacity = rng.randint(0, 150) * 1_000_000
    taken = knapsack(profits=profits, weights=weights, capacity=capacity)
    assert sum(w for w, t in zip(weights, taken, strict=True) if t) <= capacity
    assert sum(p for p, t in zip(profits, taken, strict=True) if t) == _best(profits, weights, capacity)


def test_beats_greedy_where_greedy_is_wrong():
    # By ratio, the small item first; then neither big one fits. The optimum takes the two big ones.
    taken = knapsack(profits=[10, 45, 45], weights=[1, 50, 50], capacity=100)
    assert taken == [False, True, True]


def test_large_case_is_exact_against_its_lp_bound_reduction():
    rng = random.Random(7)
    profits = [rng.randint(500, 9000) for _ in range(3000)]
    weights = [rng.randint(5, 500) * 1_000_000 for _ in range(3000)]
    capacity = 150 * 1_000_000 * 150
    taken = knapsack(profits=profits, weights=weights, capacity=capacity)
    assert sum(w for w, t in zip(weights, taken, strict=True) if t) <= capacity
    # no item left out fits the room the optimum leaves
    room = capacity - sum(w for w, t in zip(weights, taken, strict=True) if t)
    assert all(w > room for w, t in zip(weights, taken, strict=True) if not t)


@pytest.mark.parametrize("seed", range(60))
def test_a_core_grown_from_one_item_ends_at_the_optimum(seed, monkeypatch):
    # From a core of one, the solver must grow it (doubling) until the bound leaves nothing else free.
    monkeypatch.setattr(knapsack_module, "CORE_START", 1)
    rng = random.Random(1000 + seed)
    n = rng.randint(1, 12)
    profits = [rng.randint(0, 60) for _ in range(n)]
    weights = [rng.randint(1, 40) * 1_000_000 for _ in range(n)]
    capacity = rng.randint(0, 150) * 1_000_000
    taken = knapsack(profits=profits, weights=weights, capacity=capacity)
    assert sum(w for w, t in zip(weights, taken, strict=True) if t) <= capacity
    assert sum(p for p, t in zip(profits, taken, strict=True) if t) == _best(profits, weights, capacity)


@pytest.mark.parametrize("seed", range(8))
def test_shortlist_sized_cases_match_one_dynamic_program_over_everything(seed):
    # The bench's shape (profits 3,000-9,600, costs Rp 5-800 million), small enough for an exact DP of the whole.
    rng = random.Random(seed)
    n = 120
    profits = [rng.randint(3000, 9600) for _ in range(n)]
    weights = [rng.randint(5, 800) * 1_000_000 for _ in range(n)]
    capacity = sum(weights) // rng.choice([3, 10, 20])
    whole = knapsack_module._dynamic(np.array(profits, float), np.array(weights, float), capacity)
    taken = knapsack(profits=profits, weights=weights, capacity=capacity)
    assert sum(w for w, t in zip(weights, taken, strict=True) if t) <= capacity
    assert sum(p for p, t in zip(profits, taken, strict=True) if t) == int(np.array(profits)[whole].sum())


@pytest.mark.parametrize("seed", range(100))
def test_dynamic_program_up_to_the_lp_bound_equals_brute_force(seed):
    # The core's DP stops at the LP bound; items free of weight, of profit 0 or worth more than the bound included.
    rng = random.Random(5000 + seed)
    n = rng.randint(1, 11)
    profits = [rng.choice([0, rng.randint(1, 60), rng.randint(100, 400)]) for _ in range(n)]
    weights = [rng.choice([0, rng.randint(1, 40), rng.randint(60, 200)]) * 1_000_000 for _ in range(n)]
    capacity = rng.randint(0, 150) * 1_000_000
    taken = knapsack_module._dynamic(np.array(profits, float), np.array(weights, float), capacity)
    assert sum(w for w, t in zip(weights, taken, strict=True) if t) <= capacity
    assert sum(p for p, t in zip(profits, taken, strict=True) if t) == _best(profits, weights, capacity)
