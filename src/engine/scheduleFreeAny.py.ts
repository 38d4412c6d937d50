/** The Python source that goes with scheduleFreeAny.ts (kept apart: the page loads it only when it exports). */

/**
 * Schedule-free optimizers for PyTorch (1.13 and 2.x, nothing beyond torch), the same arithmetic as above:
 * `ScheduleFreeSGD` / `ScheduleFreeAdamW` take their LR from the param group — so any scheduler drives them —
 * with `averaging` 'schedulet', 'reference' or 'theory'; `ScheduleFreePolyakSGD` and `ScheduleFreePolyakAdam` compute their own step.
 * Call `optimizer.train()` before training steps and `optimizer.eval()` before evaluating (x is evaluated).
 */
export const SF_PYTHON = `class _ScheduleFreeBase(torch.optim.Optimizer):
    """y (gradient point) is stored in the parameters while training; eval() swaps in x, train() swaps back."""

    def _beta(self, group):
        return group["betas"][0] if "betas" in group else group["beta"]

    @torch.no_grad()
    def eval(self):
        for group in self.param_groups:
            if group["train_mode"]:
                for p in group["params"]:
                    if "z" in self.state[p]:
                        p.lerp_(self.state[p]["z"], 1 - 1 / self._beta(group))  # x = y + (1 - 1/beta)(z - y)
                group["train_mode"] = False

    @torch.no_grad()
    def train(self):
        for group in self.param_groups:
            if not group["train_mode"]:
                for p in group["params"]:
                    if "z" in self.state[p]:
                        p.lerp_(self.state[p]["z"], 1 - self._beta(group))  # y = (1 - beta) z + beta x
                group["train_mode"] = True

    @staticmethod
    def _closure(closure):
        if closure is None:
            return None
        with torch.enable_grad():
            return closure()

    @staticmethod
    def _check_averaging(averaging):
        if averaging not in ("schedulet", "reference", "theory"):
            raise ValueError("averaging must be 'schedulet', 'reference' or 'theory'")

    @staticmethod
    def _average(group, lr):
        """c_{t+1} by the group's averaging rule; advances its step count."""
        k, mode = group["k"], group["averaging"]
        group["k"] = k + 1
        if mode == "theory":
            return 1 / (k + 1)
        if mode == "reference":
            group["lr_max"] = max(lr, group["lr_max"])
            weight = ((k + 1) ** group["r"]) * (group["lr_max"] ** group["weight_lr_power"])
        else:  # schedulet: the weight follows the schedule
            weight = lr
        group["weight_sum"] += weight
        return weight / group["weight_sum"] if group["weight_sum"] != 0 else 0.0

    def _polyak(self, loss, dot, norm):
        """lr = max(f(y) - ell_star + <g, z - y>, 0) / max(M, norm); M <= 0: the first norm becomes M."""
        num = max(float(loss) - self.ell_star + dot, 0.0)
        if self.M <= 0:
            den, side = norm, "gradient"
            self.M = norm
        else:
            side = "gradient" if norm >= self.M else "M"
            den = norm if side == "gradient" else self.M
        lr = num / den if den > 0 and math.isfinite(num / den) else 0.0
        self.last = dict(lr=lr, numerator=num, denominator=den, side=side)
        return lr

    @staticmethod
    def _move(y, z, d, lr, c, beta):
        """y <- (1 - c) y + c z + lr (beta (1 - c) - 1) d;  z <- z - lr d."""
        y.lerp_(z, c)
        y.add_(d, alpha=lr * (beta * (1 - c) - 1))
        z.sub_(d, alpha=lr)


class ScheduleFreeSGD(_ScheduleFreeBase):
    """Schedule-free SGD driven by any LR schedule: the LR is read from the param group each step.

    averaging: 'schedulet' (c = lr_t / sum of lr_i, the seed paper's rule for any schedule), 'reference'
    (facebookresearch/schedule_free: weight (k+1)^r * lr_max^weight_lr_power) or 'theory' (c = 1/(t+1)).
    """

    def __init__(self, params, lr=1.0, beta=0.9, averaging="schedulet", weight_lr_power=2.0, r=0.0, weight_decay=0.0):
        self._check_averaging(averaging)
        if not 0 < beta < 1:
            raise ValueError("beta must lie strictly between 0 and 1")
        super().__init__(params, dict(lr=lr, beta=beta, averaging=averaging, weight_lr_power=weight_lr_power, r=r,
                                      weight_decay=weight_decay, k=0, weight_sum=0.0, lr_max=-1.0, train_mode=True))

    @torch.no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, beta = group["lr"], group["beta"]
            c = self._average(group, lr)
            group["last_c"] = c
            for p in group["params"]:
                if p.grad is None:
                    continue
                if "z" not in self.state[p]:
                    self.state[p]["z"] = p.detach().clone()
                d = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
                self._move(p, self.state[p]["z"], d, lr, c, beta)
        return loss


class ScheduleFreeAdamW(_ScheduleFreeBase):
    """Schedule-free AdamW driven by any LR schedule (facebookresearch/schedule_free's AdamW step, warmup left
    to the scheduler), with the same three averaging rules as ScheduleFreeSGD."""

    def __init__(self, params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, averaging="schedulet", weight_lr_power=2.0,
                 r=0.0, weight_decay=0.0):
        self._check_averaging(averaging)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, averaging=averaging, weight_lr_power=weight_lr_power,
                                      r=r, weight_decay=weight_decay, k=0, weight_sum=0.0, lr_max=-1.0, train_mode=True))

    @torch.no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2) = group["lr"], group["betas"]
            bias_correction2 = 1 - beta2 ** (group["k"] + 1)
            c = self._average(group, lr)
            group["last_c"] = c
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "z" not in state:
                    state["z"] = p.detach().clone()
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["exp_avg_sq"].mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                d = p.grad / state["exp_avg_sq"].div(bias_correction2).sqrt().add_(group["eps"])
                if group["weight_decay"] != 0:
                    d.add_(p, alpha=group["weight_decay"])
                self._move(p, state["z"], d, lr, c, beta1)
        return loss


class _ScheduleFreePolyakBase(_ScheduleFreeBase):
    """The schedule-free Polyak step (buchholzmd/step-back): lr_t = max(f(y) - ell_star + <g, z - y>, 0) /
    max(M, sum g * d) with each parameter's direction d (_direction), uniform averaging c = 1/(t+1), then the
    schedule-free move along d. M <= 0 means the first sum g * d becomes M. step(loss=...) needs the mini-batch
    loss at y (or a closure that returns it)."""

    def __init__(self, params, group, ell_star, M):
        if not 0 < self._beta(group) < 1:
            raise ValueError("beta must lie strictly between 0 and 1")
        super().__init__(params, dict(group, lr=0.0, averaging="theory", k=0, train_mode=True))
        self.ell_star, self.M = float(ell_star), float(M)
        self.last = {}

    @torch.no_grad()
    def step(self, closure=None, loss=None):
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        if loss is None:
            raise ValueError(f"{type(self).__name__}.step needs the batch loss: step(loss=loss) or a closure")
        dot, norm = 0.0, 0.0
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if "z" not in self.state[p]:
                    self.state[p]["z"] = p.detach().clone()
                d, g_d = self._direction(group, p)
                self.state[p]["d"] = d
                dot += float(torch.sum(p.grad * (self.state[p]["z"] - p)))
                norm += float(torch.sum(g_d))
        lr = self._polyak(loss, dot, norm)
        for group in self.param_groups:
            group["lr"] = lr
            c = self._average(group, lr)
            group["last_c"] = c
            for p in group["params"]:
                if p.grad is not None:
                    self._move(p, self.state[p]["z"], self.state[p]["d"], lr, c, self._beta(group))
        return loss


class ScheduleFreePolyakSGD(_ScheduleFreePolyakBase):
    """SGDScheduleFreeSPS: the direction is the gradient, the denominator max(M, |g|^2)."""

    def __init__(self, params, beta=0.9, ell_star=0.0, M=1.0):
        super().__init__(params, dict(beta=beta), ell_star, M)

    def _direction(self, group, p):
        return p.grad, p.grad * p.grad


class ScheduleFreePolyakAdam(_ScheduleFreePolyakBase):
    """AdamWScheduleFree in 'schedule-free-polyak-adam' mode (the paper's v2): v <- beta2 v + (1 - beta2) g^2 and
    D = sqrt(v / (1 - beta2^k)) + eps first; the direction is g / D, the denominator max(M, sum g^2 / D), the
    numerator keeps the raw g."""

    def __init__(self, params, beta=0.9, beta2=0.999, eps=1e-8, ell_star=0.0, M=1.0):
        super().__init__(params, dict(betas=(beta, beta2), eps=eps), ell_star, M)

    def _direction(self, group, p):
        state, beta2 = self.state[p], group["betas"][1]
        if "exp_avg_sq" not in state:
            state["exp_avg_sq"] = torch.zeros_like(p)
        state["exp_avg_sq"].mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
        d = state["exp_avg_sq"].div(1 - beta2 ** (group["k"] + 1)).sqrt().add_(group["eps"])
        return p.grad / d, p.grad * p.grad / d
`;
