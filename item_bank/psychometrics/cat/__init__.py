"""Computerised adaptive testing: item pool, sessions, exposure control and simulation.

Build a :class:`CATBank` once per item pool (it precomputes information and response
probabilities on a theta grid), then run one :class:`CATSession` per examinee::

    bank = CATBank(parameters, content_areas=areas, exposure_parameters=k)
    session = CATSession(bank, CATRules(max_length=30, se_target=0.3), blueprint=blueprint)
    while (item := session.next_item(rng)) is not None:
        session.record(item, ask(item))
    state = session.to_dict()  # store between HTTP requests; CATSession.from_dict(bank, state)
"""

from item_bank.psychometrics.cat.bank import Blueprint, CATBank
from item_bank.psychometrics.cat.session import STATE_VERSION, CATRules, CATSession
from item_bank.psychometrics.cat.simulation import (
    CATSimulationResult,
    SympsonHetterResult,
    simulate_cat,
    sympson_hetter_parameters,
)

__all__ = [
    "STATE_VERSION",
    "Blueprint",
    "CATBank",
    "CATRules",
    "CATSession",
    "CATSimulationResult",
    "SympsonHetterResult",
    "simulate_cat",
    "sympson_hetter_parameters",
]
