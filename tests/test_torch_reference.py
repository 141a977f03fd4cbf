"""cact agrees with PyTorch's CPU kernels (float64, where both are accurate), including the
conventions at kinks. Skipped when torch is not installed (it is an optional peer)."""
import numpy as np
import pytest

import cact
from cact import _registry as registry

torch = pytest.importorskip("torch")
F = torch.nn.functional
aten = torch.ops.aten

RNG = np.random.default_rng(20)
X = np.concatenate([RNG.uniform(-6, 6, 500), [0.0, -0.0, 1.0, -1.0]])
G = RNG.standard_normal(X.size)
t, tg = torch.from_numpy(X), torch.from_numpy(G)



def _cases():
    """every elementwise activation of the registry at its test parameters: forward and backward
    step against PyTorch's (the registry's torch and torch_bwd: aten's backward kernels)"""
    out = []
    for vid, act, kw in registry.variants(("elementwise",)):
        f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
        y = act.torch(torch, t, **kw)
        rtol = act.torch_rtol or 1e-12
        out.append((vid, f(X, **kw), y, 1e-12))
        out.append((vid + "_backward", fg(X, grad_output=G, **kw), act.torch_bwd(torch, tg, t, y, **kw), rtol))
        if act.from_y:
            out.append((vid + "_backward_from_y", fg(y=y.numpy(), grad_output=G, **kw),
                        act.torch_bwd(torch, tg, t, y, **kw), rtol))
    return out


def _row_and_gated_cases():
    """every row-wise and gated activation of the registry, on every axis of a 3-D array: forward,
    backward step (and from y) against PyTorch's (for gated units, its autograd's ops on x.chunk(2))"""
    out = []
    x = RNG.standard_normal((6, 8, 10)) * 3
    tx = torch.from_numpy(x)
    for vid, act, kw in registry.variants(("rows", "gated")):
        f, fg = getattr(cact, act.name), getattr(cact, act.name + "_grad")
        for axis in (0, 1, 2, -1):
            kwa = dict(kw, axis=axis)
            y = act.torch(torch, tx, **kwa)
            g = RNG.standard_normal(tuple(y.shape))
            rtol = act.torch_rtol or 1e-12
            out.append((f"{vid}_axis{axis}", f(x, **kwa), y, 1e-12))
            tb = act.torch_bwd(torch, torch.from_numpy(g), tx, y, **kwa)
            out.append((f"{vid}_axis{axis}_backward", fg(x, grad_output=g, **kwa), tb, rtol))
            if act.from_y:
                out.append((f"{vid}_axis{axis}_backward_from_y", fg(y=y.numpy(), grad_output=g, **kwa), tb, rtol))
    return out


CASES = _cases() + _row_and_gated_cases()


@pytest.mark.parametrize("name, ours, theirs, rtol", CASES, ids=[c[0] for c in CASES])
def test_agrees_with_pytorch(name, ours, theirs, rtol):
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=rtol, atol=1e-14)


def test_softmax_and_its_backward_agree_with_pytorch():
    x, g = RNG.standard_normal((8, 30)), RNG.standard_normal((8, 30))
    for dim in (0, 1):
        tx = torch.from_numpy(x)
        y = torch.softmax(tx, dim)
        np.testing.assert_allclose(cact.softmax(x, axis=dim), y.numpy(), rtol=1e-13)
        ref = aten._softmax_backward_data(torch.from_numpy(g), y, dim, torch.float64)
        np.testing.assert_allclose(cact.softmax_grad(x, axis=dim, grad_output=g), ref.numpy(), rtol=1e-11, atol=1e-15)
    jac = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), torch.from_numpy(x[0]))
    np.testing.assert_allclose(cact.softmax_grad(x[0]), jac.numpy(), rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_backward_from_the_output_agrees_with_pytorchs(dt):
    # the same inputs as PyTorch's own backward ops: the forward's output y and grad_output
    x, g = RNG.standard_normal((8, 300)).astype(dt), RNG.standard_normal((8, 300)).astype(dt)
    tol = 1e-5 if dt == np.float32 else 1e-12
    ty, tg = torch.sigmoid(torch.from_numpy(x)), torch.from_numpy(g)
    np.testing.assert_allclose(cact.sigmoid_grad(y=ty.numpy(), grad_output=g),
                               aten.sigmoid_backward(tg, ty).numpy(), rtol=tol, atol=tol * 1e-3)
    for dim in (0, 1):
        ty = torch.softmax(torch.from_numpy(x), dim)
        ref = aten._softmax_backward_data(tg, ty, dim, ty.dtype)
        np.testing.assert_allclose(cact.softmax_grad(y=ty.numpy(), axis=dim, grad_output=g), ref.numpy(),
                                   rtol=tol, atol=tol * 1e-3)


def test_prelu_and_its_backward_agree_with_pytorch():
    x, g = RNG.standard_normal((4, 3, 5)), RNG.standard_normal((4, 3, 5))
    x[0, :, 0] = 0.0  # the kink
    a = np.array([0.1, 0.25, 0.4])
    tx, ta = torch.from_numpy(x), torch.from_numpy(a)
    np.testing.assert_allclose(cact.prelu(x, a), F.prelu(tx, ta).numpy(), rtol=1e-15)
    gx_ref, ga_ref = aten._prelu_kernel_backward(torch.from_numpy(g), tx, ta.reshape(1, 3, 1))
    gx, ga = cact.prelu_grad(x, a, grad_output=g)
    np.testing.assert_allclose(gx, gx_ref.numpy(), rtol=1e-15)
    np.testing.assert_allclose(ga, ga_ref.numpy().sum(axis=(0, 2)), rtol=1e-12)
