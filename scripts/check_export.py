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
    bad = next((t for t, (a, b) in enumerate(zip(lrs, case["lr"])) if not close(a, b)), None)
    if bad is not None:
        return f"lr[{bad}] = {lrs[bad]!r}, golden {case['lr'][bad]!r}"
    if case.get("momentum"):
        badm = next((t for t, (a, b) in enumerate(zip(moms, case["momentum"])) if not close(a, b)), None)
        if badm is not None:
            return f"momentum[{badm}] = {moms[badm]!r}, golden {case['momentum'][badm]!r}"
    return None


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
        mains.setdefault(case["code"], case["id"])
        try:
            problem = run_case(case)
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
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or passed == 0 else 0)


if __name__ == "__main__":
    main()
