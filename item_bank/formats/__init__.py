"""Item file formats: Moodle XML, GIFT and Aiken importers and the bank's versioned item JSON.

Every importer returns an :class:`ImportReport` (each question imported or skipped, with the
reason) or raises :class:`~item_bank.errors.ImportFormatError` naming the file, the question and
the problem; a file with a broken question imports nothing.
"""

from item_bank.formats.aiken import import_aiken
from item_bank.formats.gift import import_gift
from item_bank.formats.json_items import (
    FORMAT_VERSION,
    dump_items,
    item_from_dict,
    item_to_dict,
    load_items,
    upgrade,
)
from item_bank.formats.moodle_xml import import_moodle_xml
from item_bank.formats.report import ImportedQuestion, ImportReport

__all__ = [
    "FORMAT_VERSION",
    "ImportReport",
    "ImportedQuestion",
    "dump_items",
    "import_aiken",
    "import_gift",
    "import_moodle_xml",
    "item_from_dict",
    "item_to_dict",
    "load_items",
    "upgrade",
]
