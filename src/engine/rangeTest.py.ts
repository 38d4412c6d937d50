/** The Python source that goes with rangeTest.ts (kept apart: the page loads it only when it exports). */

/**
 * The range test as a self-contained Python class (PyTorch 1.13 and 2.x, nothing beyond torch): the same LRs,
 * smoothing, stop rule and suggestions as above, line for line. `run(model, loss_fn, batches)` trains a real
 * model through the test and puts the model and optimizer back; `next_lr()` / `record(loss)` drive it by hand.
 */
export const RANGE_TEST_PYTHON = `class LRRangeTest:
    """The LR range test, exactly as fastai v2's lr_find or torch-lr-finder's range_test runs it.

    flavor 'fastai': lr_k = start_lr * (end_lr / start_lr) ** (k / num_it) (end_lr never reached); the recorded
    loss is the debiased moving average (beta 0.98); stops when stop_div and recorded > 4 * best, or after
    num_it iterations. Suggestions: valley, slide, minimum (LR / 10), steep, on record[num_it // 10:-5].
    flavor 'torch-lr-finder': lr_i = start_lr * (end_lr / start_lr) ** (i / (num_iter - 1)) ('exp') or
    start_lr + i / (num_iter - 1) * (end_lr - start_lr) ('linear'); s_i = smooth_f * loss_i + (1 - smooth_f) * s_{i-1};
    stops when s_i > diverge_th * best. Suggestion: steepest, the argmin of the gradient of record[skip_start:-skip_end].
    """

    def __init__(self, optimizer, flavor="fastai", start_lr=1e-7, end_lr=10.0, num_it=100, stop_div=True,
                 num_iter=100, step_mode="exp", smooth_f=0.05, diverge_th=5.0, skip_start=10, skip_end=5):
        if flavor not in ("fastai", "torch-lr-finder"):
            raise ValueError("flavor must be 'fastai' or 'torch-lr-finder'")
        if not (0 < start_lr < end_lr) or not math.isfinite(end_lr):
            raise ValueError("start_lr must be positive and below a finite end_lr")
        self.optimizer, self.flavor = optimizer, flavor
        self.start_lr, self.end_lr = float(start_lr), float(end_lr)
        self.num_it, self.stop_div = int(num_it), bool(stop_div)
        self.num_iter, self.step_mode = int(num_iter), step_mode
        self.smooth_f, self.diverge_th = float(smooth_f), float(diverge_th)
        self.skip_start, self.skip_end = int(skip_start), int(skip_end)
        if (self.num_it if flavor == "fastai" else self.num_iter) < 2:
            raise ValueError("the test needs at least 2 iterations")
        self.lrs, self.raw, self.smoothed = [], [], []
        self.best, self._avg, self.done = float("inf"), 0.0, False

    def lr_at(self, k):
        start, end = self.start_lr, self.end_lr
        if self.flavor == "fastai":
            return start * (end / start) ** (k / self.num_it)
        r = k / (self.num_iter - 1)
        return start + r * (end - start) if self.step_mode == "linear" else start * (end / start) ** r

    def next_lr(self):
        """Sets every parameter group's LR for the next iteration and returns it."""
        lr = self.lr_at(len(self.lrs))
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        return lr

    def record(self, loss):
        """Records the raw loss of the iteration just trained (measured before its update); True = stop."""
        if self.done:
            return True
        k = len(self.lrs)
        x = float(loss)
        self.raw.append(x)
        self.lrs.append(self.lr_at(k))
        if self.flavor == "fastai":
            beta = 0.98
            self._avg = beta * self._avg + (1 - beta) * x
            v = self._avg / (1 - beta ** (k + 1))
            self.smoothed.append(v)
            if v < self.best:
                self.best = v
            self.done = (self.stop_div and v > 4 * self.best) or k + 1 >= self.num_it
        else:
            v = x
            if k == 0:
                self.best = v
            else:
                if self.smooth_f > 0:
                    v = self.smooth_f * x + (1 - self.smooth_f) * self.smoothed[k - 1]
                if v < self.best:
                    self.best = v
            self.smoothed.append(v)
            self.done = v > self.diverge_th * self.best or k + 1 >= self.num_iter
        return self.done

    def run(self, model, loss_fn, batches):
        """Trains model on (inputs, targets) batches through the test, then restores model and optimizer."""
        saved = (copy.deepcopy(model.state_dict()), copy.deepcopy(self.optimizer.state_dict()))
        try:
            for inputs, targets in batches:
                self.next_lr()
                loss = loss_fn(model(inputs), targets)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                if self.record(loss.item()):
                    break
        finally:
            model.load_state_dict(saved[0])
            self.optimizer.load_state_dict(saved[1])
        return self.suggestions()

    @staticmethod
    def _np_gradient(y):
        n = len(y)
        g = [(y[i + 1] - y[i - 1]) / 2 for i in range(1, n - 1)]
        return [y[1] - y[0]] + g + [y[n - 1] - y[n - 2]]

    @staticmethod
    def _slice(n, a, b):
        start = min(a, n)
        stop = n if b == 0 else max(n - b, 0)
        return start, max(start, stop)

    def suggestions(self):
        """{'window': [a, b], name: {'index': i, 'lr': lr} or None, ...}; indices are iterations."""
        n = len(self.smoothed)
        if self.flavor == "torch-lr-finder":
            a, b = self._slice(n, self.skip_start, self.skip_end)
            ys = self.smoothed[a:b]
            idx = None
            if len(ys) >= 2:
                g = self._np_gradient(ys)
                nan = [i for i, v in enumerate(g) if math.isnan(v)]
                idx = nan[0] if nan else min(range(len(g)), key=lambda i: (g[i], i))
            return {"window": [a, b], "steepest": self._at(a, idx)}
        a, b = self._slice(n, self.num_it // 10, 5)
        for i in range(a, b):
            if math.isnan(self.smoothed[i]):
                b = i
                break
        ys, lrs = self.smoothed[a:b], self.lrs[a:b]
        return {
            "window": [a, b],
            "valley": self._at(a, self._valley(ys)),
            "slide": self._at(a, self._slide(ys)),
            "minimum": self._at(a, min(range(len(ys)), key=lambda i: (ys[i], i)) if ys else None, 0.1),
            "steep": self._at(a, self._steep(lrs, ys)),
        }

    def _at(self, offset, i, scale=1.0):
        return None if i is None else {"index": offset + i, "lr": self.lrs[offset + i] * scale}

    @staticmethod
    def _valley(ys):
        n = len(ys)
        if n == 0:
            return None
        lds, max_start, max_end = [1] * n, 0, 0
        for i in range(1, n):
            for j in range(0, i):
                if ys[i] < ys[j] and lds[i] < lds[j] + 1:
                    lds[i] = lds[j] + 1
                if lds[max_end] < lds[i]:
                    max_end = i
                    max_start = max_end - lds[max_end]
        sections = (max_end - max_start) / 3
        idx = max_start + int(sections) + int(sections / 2)
        return idx if 0 <= idx < n else None

    def _slide(self, ys, lr_diff=15, thresh=0.005):
        n = len(ys)
        if n < lr_diff + 1:
            return None
        g = self._np_gradient(ys)
        r, l = n - 1, n - 1 - lr_diff
        found = l
        while l >= 0 and abs(g[r] - g[l]) > thresh:
            found = l
            r, l = r - 1, l - 1
        return found

    @staticmethod
    def _steep(lrs, ys):
        if len(ys) < 2:
            return None
        grads = [(ys[i + 1] - ys[i]) / (math.log(lrs[i + 1]) - math.log(lrs[i])) for i in range(len(ys) - 1)]
        return min(range(len(grads)), key=lambda i: (grads[i], i))`;
