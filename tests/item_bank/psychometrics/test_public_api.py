"""The public API named in issue #5 is importable from item_bank.psychometrics and documented."""

import inspect

import numpy as np

import item_bank.psychometrics as psychometrics


def test_every_public_name_exists_and_callables_have_numpydoc_sections() -> None:
    for name in psychometrics.__all__:
        obj = getattr(psychometrics, name)
        if inspect.isfunction(obj):
            doc = inspect.getdoc(obj) or ""
            assert "Parameters" in doc or "Returns" in doc, name
    issue_api = {
        "calibrate", "score", "ctt", "dif", "link", "item_fit", "person_fit",
        "transform_parameters", "calibrate_fixed_anchor", "CATBank", "CATSession",
    }  # fmt: skip
    assert issue_api <= set(psychometrics.__all__)


def test_calibrate_then_ctt_and_link_through_the_package_namespace() -> None:
    rng = np.random.default_rng(20240611)
    truth = psychometrics.ItemParameters.from_difficulty(np.linspace(-1, 1, 6), 1.2)
    x = psychometrics.simulate_responses(truth, rng.standard_normal(800), rng=rng)
    result = psychometrics.calibrate(x, "2pl", standard_errors=False)
    assert result.converged
    assert psychometrics.ctt(x).alpha > 0.3
    shifted = psychometrics.transform_parameters(result.parameters, 1.0, 0.5)
    linked = psychometrics.link(
        shifted, result.parameters, method="mean-sigma", anchors=[(j, j) for j in range(6)]
    )
    assert abs(linked.intercept + 0.5) < 1e-6
