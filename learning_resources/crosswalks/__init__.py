"""Metadata crosswalks from :class:`~learning_resources.resources.LearningResource`.

* :mod:`.oai_dc` — unqualified Dublin Core for OAI-PMH (mandatory format);
* :mod:`.lrmi` — schema.org ``LearningResource`` JSON-LD (LRMI);
* :mod:`.lom` — IEEE LOM XML, export only.
"""

from learning_resources.crosswalks.lom import LOM_NAMESPACE, to_lom
from learning_resources.crosswalks.lrmi import to_lrmi_jsonld
from learning_resources.crosswalks.oai_dc import (
    DC_NAMESPACE,
    OAI_DC_NAMESPACE,
    OAI_DC_SCHEMA,
    to_oai_dc,
)

__all__ = [
    "DC_NAMESPACE",
    "LOM_NAMESPACE",
    "OAI_DC_NAMESPACE",
    "OAI_DC_SCHEMA",
    "to_lom",
    "to_lrmi_jsonld",
    "to_oai_dc",
]
