#!/usr/bin/env python3
"""Run LR Lab's exported schedulers in real PyTorch and compare them with the golden trajectories.

Reads JSON lines from stdin (`tsx src/cli/exportCases.ts`): each holds the exported file's text and a golden
case. For each case the file is executed as a module (`make_scheduler` is taken from it), an SGD optimizer
with momentum 0.9 is built at `base_lr` (the golden convention), and lr[t] is read before the scheduler is
stepped after step t (with the loss of step t for loss-driven schedulers). LRs must match at 1e-9 relative
(1e-12 absolute). Each distinct file is also run once as `__main__`, as a user would run it.
Prints one line per failure and a closing 'N passed, N failed'; exits 1 on any failure.
"""
import contextlib
import io
import json
import math
import re
import sys

import torch


def close(a, b):
    if math.isnan(b):
        return math.isnan(a)
    return abs(a - b) <= max(1e-9 * abs(b), 1e-12)


def run_case(case):
    ns = {"__name__": "lrlab_export"}
    exec(compile(case["code"], f"<export {case['id']}>", "exec"), ns)
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=case["base_lr"], momentum=0.9)
    scheduler = ns["make_scheduler"](optimizer)
    lrs, moms = [], []
    for t in range(case["steps"]):
        lrs.append(optimizer.param_groups[0]["lr"])
        moms.append(optimizer.param_groups[0].get("momentum", float("nan")))
        optimizer.step()
        if case["metric"]:
            scheduler.step(case["metrics"][t])
        else:
            scheduler.step()
    if len(lrs) != len(case["lr"]):
        return f"{len(lrs)} LRs, golden {len(case['lr'])}"
    bad = next((t for t, (a, b) in enumerate(zip(lrs, case["lr"])) if not close(a, b)), None)
    if bad is not None:
        return f"lr[{bad}] = {lrs[bad]!r}, golden {case['lr'][bad]!r}"
    if case.get("momentum"):
        if len(moms) != len(case["momentum"]):
            return f"{len(moms)} momenta, golden {len(case['momentum'])}"
        badm = next((t for t, (a, b) in enumerate(zip(moms, case["momentum"])) if not close(a, b)), None)
        if badm is not None:
            return f"momentum[{badm}] = {moms[badm]!r}, golden {case['momentum'][badm]!r}"
    return None


def load(code, name):
    ns = {"__name__": "lrlab_export"}
    exec(compile(code, f"<export {name}>", "exec"), ns)
    return ns


def compare(got, want, path):
    """None when got equals want: numbers at 1e-9 relative (1e-12 absolute), None = NaN, lists element-wise."""
    if isinstance(want, list):
        if not isinstance(got, (list, tuple)) or len(got) != len(want):
            return f"{path}: length {len(got) if isinstance(got, (list, tuple)) else got!r}, golden {len(want)}"
        for i, (a, b) in enumerate(zip(got, want)):
            bad = compare(a, b, f"{path}[{i}]")
            if bad:
                return bad
        return None
    b = float("nan") if want is None else want
    return None if close(float(got), b) else f"{path} = {got!r}, golden {want!r}"


def run_range_test(case):
    """Feeds the golden's losses to the exported LRRangeTest; LRs, smoothed losses, stop and suggestions."""
    c, want = case["case"], case["expected"]
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    test = load(case["code"], case["id"])["make_range_test"](optimizer)
    for loss in c["losses"]:
        lr = test.next_lr()
        if optimizer.param_groups[0]["lr"] != lr:
            return "next_lr() did not set the optimizer's LR"
        if test.record(float("nan") if loss is None else loss):
            break
    if len(test.lrs) != want["stop"]:
        return f"stopped after {len(test.lrs)} iterations, golden {want['stop']}"
    bad = compare(test.lrs, want["lr"], "lr") or compare(test.smoothed, want["smoothed"], "smoothed")
    if bad:
        return bad
    got = test.suggestions()
    if sorted(got) != sorted(want["suggestions"]):
        return f"suggestions {sorted(got)}, golden {sorted(want['suggestions'])}"
    for name, w in want["suggestions"].items():
        g = got[name]
        if name == "window":
            if list(g) != w:
                return f"window {g}, golden {w}"
        elif (g is None) != (w is None) or (w and (g["index"] != w["index"] or not close(g["lr"], w["lr"]))):
            return f"{name} {g}, golden {w}"
    return None


def run_schedule_free(case):
    """The exported optimizer on the golden's least-squares run, float64: gamma, c, loss, y, z, x per step."""
    c, want = case["case"], case["expected"]
    dt = torch.float64
    A, b = torch.tensor(c["A"], dtype=dt), torch.tensor(c["b"], dtype=dt)
    theta = torch.nn.Parameter(torch.tensor(c["theta0"], dtype=dt))
    optimizer = load(case["code"], case["id"])["make_optimizer"]([theta])
    beta = c["params"]["beta"]
    bs, polyak = c["batch_size"], c["mode"] == "polyak"
    steps = len(want["gamma"])
    got = {k: [] for k in want}
    for t in range(steps):
        if not polyak:
            optimizer.param_groups[0]["lr"] = c["gamma_in"][t]  # what any scheduler does
        rows = slice(t * bs, (t + 1) * bs)
        loss = 0.5 * ((A[rows] @ theta - b[rows]) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        if polyak:
            optimizer.step(loss=loss.item())
        else:
            optimizer.step()
        z = optimizer.state[theta]["z"]
        got["gamma"].append(optimizer.param_groups[0]["lr"])
        got["c"].append(optimizer.param_groups[0]["last_c"])
        got["loss"].append(loss.item())
        got["y"].append(theta.detach().tolist())
        got["z"].append(z.tolist())
        got["x"].append(theta.detach().lerp(z, 1 - 1 / beta).tolist())
    for k in want:
        bad = compare(got[k], want[k], k)
        if bad:
            return bad
    return None


def run_vsgd(case):
    """The exported VSGD on the golden's noisy quadratic: lr, theta, tau per step. The per-sample gradients are
    the golden's oracle, h * (theta - c) (autograd's 0.5 * 2 * ... rounds differently, and vSGDfd's finite
    difference along a near-zero gbar amplifies that last bit)."""
    c, want = case["case"], case["expected"]
    dt = torch.float64
    ns = load(case["code"], case["id"])
    h = torch.tensor(c["h"], dtype=dt)
    samples = list(torch.tensor(c["samples"], dtype=dt))
    theta = torch.nn.Parameter(torch.tensor(c["theta0"], dtype=dt))
    opt = ns["make_optimizer"]([theta])
    b, first = opt.batch_size, opt.init_samples * opt.batch_size

    def grads_at(point, rows):
        return [torch.stack([h * (point.detach() - row) for row in rows])]

    def curvatures(rows, grads):
        if opt.variant != "vSGDfd":
            return [h.abs().expand(len(rows), len(h))]
        v = opt.fd_direction(grads)
        shifted = theta.detach() + v[0]
        return opt.fd_curvature(grads, grads_at(shifted, rows), v)

    if first:
        g = grads_at(theta, samples[:first])
        opt.slow_start(g, curvatures(samples[:first], g))
    else:
        opt.slow_start()
    got = {"lr": [], "theta": [], "tau": []}
    for t in range(len(want["lr"])):
        rows = samples[first + t * b : first + (t + 1) * b]
        g = grads_at(theta, rows)
        opt.step(g, curvatures(rows, g))
        got["lr"].append(opt.learning_rates()[0].tolist())
        got["theta"].append(theta.detach().tolist())
        got["tau"].append(opt.state[theta]["taus"].tolist())
    for k in want:
        bad = compare(got[k], want[k], k)
        if bad:
            return bad
    return None


def run_file(case):
    """A whole file (a schedule-free run with its scheduler): it must load and build its pieces; it is also
    run once as a script below."""
    ns = load(case["code"], case["id"])
    param = torch.nn.Parameter(torch.zeros(3))
    opt = ns["make_optimizer"]([param])
    if "make_scheduler" in ns:
        ns["make_scheduler"](opt)
    return None


def worst(got, want):
    """The largest relative difference of two per-step series (None = diverged must match), and where."""
    if len(got) != len(want):
        return math.inf, f"{len(got)} steps, LR Lab {len(want)}"
    w, at = 0.0, None
    for t, (a, b) in enumerate(zip(got, want)):
        if (a is None) != (b is None):
            return math.inf, f"step {t}: {a!r} here, {b!r} in LR Lab (a run diverged in one only)"
        if a is None:
            continue
        d = abs(a - b) / max(abs(b), 1e-300) if a != b else 0.0
        if d > w:
            w, at = d, t
    return w, at


RACE_REPORT = []


def compare_race(results, case):
    """Every run's LR and loss at every step against `npm run race`, at the case's tolerances."""
    tol = case["case"]["tol"]
    want = case["expected"]["runs"]
    if [r["name"] for r in results] != [r["name"] for r in want]:
        return f"runs {[r['name'] for r in results]}, LR Lab {[r['name'] for r in want]}"
    for got, exp in zip(results, want):
        for key in ("lr", "loss"):
            w, at = worst(got[key], exp[key])
            RACE_REPORT.append((case["id"], got["name"], key, w))
            if not w <= tol[key]:
                return f"{got['name']}: {key} differs by {w:.3g} relative (tolerance {tol[key]:g}) at {at}"
    return None


def run_race(case):
    """A whole race: the exported script run as a user runs it (`--json`), step by step against LR Lab."""
    ns = load(case["code"], case["id"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        ns["main"](["--json"])
    return compare_race(json.loads(out.getvalue())["runs"], case)


def run_notebook(case):
    """The notebook: valid nbformat 4, and its code cells run in order reproduce the race."""
    import nbformat

    nb = nbformat.reads(case["code"], as_version=4)
    nbformat.validate(nb)
    ns = {"__name__": "lrlab_notebook"}
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    for k, src in enumerate(cells[:-1]):  # the last cell trains and plots: run below without the plot
        exec(compile(src, f"<notebook cell {k}>", "exec"), ns)
    return compare_race(ns["race"](), case)


RUNNERS = {
    "range-test": run_range_test,
    "schedule-free": run_schedule_free,
    "vsgd": run_vsgd,
    "runs": run_file,
    "race": run_race,
    "notebook": run_notebook,
}


def run_main(code, name):
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, f"<export {name} as __main__>", "exec"), {"__name__": "__main__"})


def main():
    import warnings

    warnings.simplefilter("error")  # an exported file that warns (deprecations, escapes) is a failure too
    # ...except PyTorch 1.13's SequentialLR warning about the step(epoch) call it makes itself at milestones.
    warnings.filterwarnings("ignore", message=re.escape("The epoch parameter in `scheduler.step()`"))
    passed = failed = 0
    mains = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        if case.get("kind") not in ("race", "notebook"):  # a race runs as a script in run_race
            mains.setdefault(case["code"], case["id"])
        try:
            problem = RUNNERS.get(case.get("kind"), run_case)(case)
        except Exception as e:  # noqa: BLE001 - any failure of an exported file is reported
            problem = f"{type(e).__name__}: {e}"
        if problem:
            failed += 1
            print(f"FAIL {case['id']}: {problem}")
        else:
            passed += 1
    for code, name in mains.items():
        try:
            run_main(code, name)
            passed += 1
        except Exception as e:  # noqa: BLE001
            failed += 1
            print(f"FAIL {name} run as a script: {type(e).__name__}: {e}")
    print(f"PyTorch {torch.__version__}: {len(mains)} exported files run as scripts")
    if RACE_REPORT:
        print("Races against npm run race, worst relative difference over all steps (LR, loss):")
        by = {}
        for cid, name, key, w in RACE_REPORT:
            by.setdefault((cid, name), {})[key] = w
        for (cid, name), w in by.items():
            print(f"  {cid:38s} {name:22s} lr {w.get('lr', 0):.1e}  loss {w.get('loss', 0):.1e}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or passed == 0 else 0)


if __name__ == "__main__":
    main()
