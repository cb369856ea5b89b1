"""QTI 3.0 (and 2.1/2.2) items, tests, usage data, response and template processing.

Import with :func:`read_item` / :func:`import_items`, export with :func:`export_item`; tests
with :func:`read_assessment_test`; item statistics with :func:`export_usage_data` and
:func:`read_usage_data`. Scoring lives in :mod:`item_bank.scoring`, variants in
:mod:`item_bank.templates`, content packages in :mod:`item_bank.packages`.
"""

from item_bank.qti.assessment_tests import AssessmentTest, read_assessment_test
from item_bank.qti.exporter import export_item
from item_bank.qti.importer import ImportResult, ItemReport, import_items, read_item
from item_bank.qti.operators import QtiProcessingError
from item_bank.qti.usage import (
    ItemStatistic,
    classical_statistics,
    export_usage_data,
    irt_statistics,
    read_usage_data,
)

__all__ = [
    "AssessmentTest",
    "ImportResult",
    "ItemReport",
    "ItemStatistic",
    "QtiProcessingError",
    "classical_statistics",
    "export_item",
    "export_usage_data",
    "import_items",
    "irt_statistics",
    "read_assessment_test",
    "read_item",
    "read_usage_data",
]
