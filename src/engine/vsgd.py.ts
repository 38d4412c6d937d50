/** The Python source that goes with vsgd.ts (kept apart: the page loads it only when it exports). */

/**
 * vSGD as a self-contained `torch.optim.Optimizer` (PyTorch 1.13 and 2.x), the same arithmetic as above.
 * vSGD needs what plain SGD does not: per-sample gradients (for the mean of g²) and per-sample curvatures
 * (|h_ii| for vSGD; for vSGDfd a second gradient at θ + v). `per_sample_grads` computes the former with autograd
 * (one backward per sample: simple and portable, not fast).
 */
export const VSGD_PYTHON = `def _mean0(t):
    """Mean over the samples (dim 0), rows added in order as numpy's mean(axis=0) does. torch.mean sums in
    another order; on a problem whose curvature estimates are all equal, vSGDfd's outlier test compares a
    variance of 0 up to rounding, so the order decides the outcome."""
    acc = t[0].clone()
    for row in t[1:]:
        acc += row
    return acc / t.shape[0]


def per_sample_grads(params, loss_fn, samples):
    """[N, *shape] per-sample gradients of loss_fn(sample) for every parameter (one backward per sample)."""
    rows = [torch.autograd.grad(loss_fn(s), params) for s in samples]
    return [torch.stack([r[i] for r in rows]) for i in range(len(params))]


class VSGD(torch.optim.Optimizer):
    """vSGD: one adaptive LR per weight, "No more pesky learning rates" (Schaul, Zhang & LeCun 2013), as the
    authors' schaul/py-optim vsgd.py computes it. variant: 'vSGD', 'vSGD_original' (no outlier test) or
    'vSGDfd' (finite-difference curvature). Call slow_start(grads, curvatures) once with init_samples * batch_size
    per-sample gradients at the start point, then step(grads, curvatures) with each mini-batch's per-sample
    gradients ([batch, *shape] per parameter) and curvatures (vSGD: |h_ii| per sample; vSGDfd:
    fd_curvature(grads, grads_at_shifted, direction) with direction = fd_direction(...), the gradients taken at
    params + direction on the same samples)."""

    def __init__(self, params, variant="vSGD", batch_size=1, init_samples=10, slow_constant=2.0, epsilon=1e-9,
                 outlier_level=1.0):
        if variant not in ("vSGD", "vSGD_original", "vSGDfd"):
            raise ValueError("variant must be 'vSGD', 'vSGD_original' or 'vSGDfd'")
        if variant == "vSGD_original":
            outlier_level = None
        super().__init__(params, dict(lr=0.0))
        self.variant, self.batch_size, self.init_samples = variant, int(batch_size), int(init_samples)
        self.slow_constant, self.epsilon, self.outlier_level = float(slow_constant), float(epsilon), outlier_level
        self.started = False

    def _params(self):
        return [p for group in self.param_groups for p in group["params"]]

    @torch.no_grad()
    def slow_start(self, grads=None, curvatures=None):
        """Statistics from the slow start's samples (or, with init_samples 0, the authors' small start)."""
        eps, fd = self.epsilon, self.variant == "vSGDfd"
        for i, p in enumerate(self._params()):
            st = self.state[p]
            if self.init_samples > 0:
                g, h = grads[i], curvatures[i]
                st["gbar"] = _mean0(g)
                st["vbar"] = (_mean0(g ** 2) + eps) * self.slow_constant
                st["hbar"] = _mean0(h)
                if fd:
                    st["vhbar"] = _mean0(h ** 2)
            else:
                st["gbar"] = torch.zeros_like(p)
                st["vbar"] = torch.full_like(p, eps)
                st["hbar"] = torch.zeros_like(p) if fd else torch.ones_like(p)
                if fd:
                    st["vhbar"] = torch.full_like(p, eps)
            st["vpart"] = st["gbar"] ** 2 / st["vbar"]
            st["taus"] = torch.full_like(p, (1 + eps) * 2)
            if fd:
                st["hpart"] = (st["hbar"] + eps) / (st["vhbar"] + eps)
        self.started = True

    def fd_direction(self, grads=None):
        """vSGDfd's finite-difference step v per parameter: gbar + eps (before the slow start: the mean of the
        slow start's per-sample gradients + eps)."""
        if not self.started:
            return [_mean0(g) + self.epsilon for g in grads]
        return [self.state[p]["gbar"] + self.epsilon for p in self._params()]

    @staticmethod
    def fd_curvature(grads, shifted, direction):
        """|(g(theta) - g(theta + v)) / v| per sample and parameter."""
        return [((g - s) / v).abs() for g, s, v in zip(grads, shifted, direction)]

    def learning_rates(self):
        """The per-weight LRs eta_i in effect, one tensor per parameter."""
        out = []
        for p in self._params():
            st = self.state[p]
            out.append(st["vpart"] * st["hpart"] if self.variant == "vSGDfd" else st["vpart"] / (st["hbar"] + self.epsilon))
        return out

    @torch.no_grad()
    def step(self, grads, curvatures):
        if not self.started:
            raise RuntimeError("call slow_start(...) before the first step")
        eps, b, fd = self.epsilon, self.batch_size, self.variant == "vSGDfd"
        for i, p in enumerate(self._params()):
            st, g_all, h_all = self.state[p], grads[i], curvatures[i]
            g, hs = _mean0(g_all), _mean0(h_all)
            if self.outlier_level is not None:
                lvl2 = self.outlier_level ** 2
                out = (g - st["gbar"]) ** 2 > lvl2 * ((st["vbar"] - st["gbar"] ** 2) / b)
                if fd:
                    out = out | ((hs - st["hbar"]) ** 2 > lvl2 * ((st["vhbar"] - st["hbar"] ** 2) / b))
                st["taus"] += out.to(p.dtype)
            fract = 1.0 / st["taus"]
            st["gbar"] = st["gbar"] * (1 - fract) + fract * g
            st["vbar"] = st["vbar"] * (1 - fract) + (fract * _mean0(g_all ** 2) + eps)
            st["hbar"] = st["hbar"] * (1 - fract) + fract * hs
            gb2 = st["gbar"] ** 2
            st["vpart"] = gb2 / ((1.0 / b) * st["vbar"] + ((b - 1.0) / b) * gb2) if b > 1 else gb2 / st["vbar"]
            st["taus"] = st["taus"] * (1 - st["vpart"]) + (1 + eps)
            if fd:
                st["vhbar"] = st["vhbar"] * (1 - fract) + fract * _mean0(h_all ** 2)
                st["hpart"] = (st["hbar"] + eps) / (st["vhbar"] + eps)
            lr = st["vpart"] * st["hpart"] if fd else st["vpart"] / (st["hbar"] + eps)
            p.sub_(lr * g)`;
