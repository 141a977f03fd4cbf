"""The seed document's seven examples, through cact, print the seed's outputs."""
import numpy as np
import pytest

import cact
from cact.__main__ import SEED_EXAMPLES


@pytest.mark.parametrize("name, call, printed", SEED_EXAMPLES, ids=[e[0] for e in SEED_EXAMPLES])
def test_seed_example_prints_the_seed_value(name, call, printed):
    result = call()
    if name == "relu":
        # The seed's NumPy relu keeps the integer dtype; cact computes integers in float64 (as
        # np.exp does), so it prints [0. 0. 0. 1. 2.]: the same values.
        np.testing.assert_array_equal(result, np.array(printed.strip("[]").split(), dtype=float))
        assert result.dtype == np.float64
    else:
        assert str(result) == printed


def test_seed_values_match_its_numpy_one_liners():
    x = np.array([-2, -1, 0, 1, 2])
    np.testing.assert_allclose(cact.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(cact.gelu(x), 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))), rtol=1e-14)
    np.testing.assert_allclose(cact.elu(x), np.where(x >= 0, x, np.exp(x) - 1), rtol=1e-15)
    x5 = np.array([1, 2, 3, 4, 5])
    np.testing.assert_allclose(cact.softmax(x5), np.exp(x5) / np.exp(x5).sum(), rtol=1e-15)
