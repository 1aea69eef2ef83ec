"""Structured findings: the single input the T/N/M rules read.

These pydantic models are also the documented JSON schema for structured input
(``Findings.model_json_schema()``); free-text extraction and an optional assistant both produce them,
so every path into the rules is validated the same way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rag.errors import InputError

Side = Literal["right", "left"]
# How sure the report is of a finding: stated, stated as probable ("suspected", "likely"), stated as only possible
# ("cannot be ruled out"), or denied. Clinical staging counts present and probable findings by default.
Certainty = Literal["present", "probable", "possible", "absent"]
CERTAINTY_RANK: dict[str, int] = {"absent": 0, "possible": 1, "probable": 2, "present": 3}
Lobe = Literal["RUL", "RML", "RLL", "LUL", "LLL"]
Density = Literal["solid", "part-solid", "ground-glass"]
Histology = Literal["AIS", "SCIS", "MIA"]
NoduleLocation = Literal["same_lobe", "other_ipsilateral_lobe", "contralateral"]
PleuralKind = Literal[
    "pleural_nodules", "malignant_pleural_effusion", "pericardial_nodules", "malignant_pericardial_effusion"
]
TLevel = Literal["T2", "T3", "T4"]
NoduleKind = Literal["nodule", "lymphangitic"]
# T2 features that are not invasion of a structure but travel in ``Tumour.invasions`` with their certainty.
MAIN_BRONCHUS_FEATURE = "main bronchus"
ATELECTASIS_FEATURE = "atelectasis or obstructive pneumonitis to the hilum"

# Station ids of the IASLC map; paratracheal "2/4" is used when only "paratracheal" is known.
STATIONS = (
    "1R", "1L", "2R", "2L", "3a", "3p", "4R", "4L", "5", "6", "7", "8R", "8L", "9R", "9L",
    "10R", "10L", "11R", "11L", "12R", "12L", "13R", "13L", "14R", "14L",
    # the side is not always written ("#11s", "#10", "station 4"): read on the tumour's side by the N rules
    "1", "2", "4", "8", "9", "10", "11", "12", "13", "14",
)  # fmt: skip


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Invasion(_Model):
    """A T-defining local feature: direct invasion of a named structure, main-bronchus involvement or atelectasis
    reaching the hilum; ``level`` is the T category it implies."""

    structure: str
    level: TLevel
    evidence: str = ""
    certainty: Certainty = "present"


class Tumour(_Model):
    """The primary tumour. Sizes are greatest dimensions in millimetres."""

    side: Side | None = None
    lobe: Lobe | None = None
    size_mm: float | None = Field(default=None, gt=0)
    solid_mm: float | None = Field(default=None, ge=0, description="solid component of a part-solid lesion")
    density: Density = "solid"
    histology: Histology | None = None
    invasions: list[Invasion] = Field(default_factory=list)
    main_bronchus: bool = False
    carina_distance_mm: float | None = Field(default=None, ge=0)
    atelectasis_to_hilum: bool = False
    evidence: list[str] = Field(default_factory=list)


class SeparateNodule(_Model):
    """A separate tumour nodule (or lymphangitic spread) of the same cancer, located relative to the primary."""

    location: NoduleLocation
    evidence: str = ""
    certainty: Certainty = "present"
    kind: NoduleKind = "nodule"


class NodeFinding(_Model):
    """An involved lymph node group. ``station`` is an IASLC id; ``region`` covers descriptions without one."""

    station: str | None = None
    side: Side | None = None
    region: Literal["hilar", "paratracheal", "mediastinal", "supraclavicular", "peribronchial"] | None = None
    contralateral: bool | None = Field(default=None, description="stated relative to the tumour side")
    evidence: str = ""
    certainty: Certainty = "present"


class PleuralFinding(_Model):
    """Pleural or pericardial disease that is M1a."""

    kind: PleuralKind
    evidence: str = ""
    certainty: Certainty = "present"


class Metastasis(_Model):
    """Extrathoracic metastases in one organ system; ``count`` is None when the text gives no count."""

    system: str
    count: int | None = Field(default=None, ge=1)
    evidence: str = ""
    certainty: Certainty = "present"


class Findings(_Model):
    """Everything the T, N and M rules need.

    Listed findings carry their certainty; which certainties count is a staging policy, so findings that are only
    possible stay listed and become "would change the stage if confirmed" alternatives. No distant disease
    described means cM0 (the standard has no MX); ``nodes_assessed`` false means the regional nodes were not
    evaluated at all (NX).
    """

    tumour: Tumour | None = None
    primary_not_seen: bool = Field(default=False, description="imaging shows no primary tumour")
    malignant_cytology: bool = Field(default=False, description="malignant cells in sputum or bronchial washings")
    separate_nodules: list[SeparateNodule] = Field(default_factory=list)
    nodes: list[NodeFinding] = Field(default_factory=list)
    nodes_assessed: bool = Field(default=False, description="the regional nodes were evaluated (imaged or described)")
    pleural: list[PleuralFinding] = Field(default_factory=list)
    metastases: list[Metastasis] = Field(default_factory=list)
    distant_assessed: bool = Field(default=False, description="the text makes an explicit statement on distant disease")
    notes: list[str] = Field(default_factory=list, description="uncertain or discarded findings worth a warning")


def parse_findings(data: dict[str, object] | Findings) -> Findings:
    """Validate structured input, turning schema errors into one precise :class:`InputError`."""
    if isinstance(data, Findings):
        data = data.model_dump()
    if not isinstance(data, dict):
        raise InputError(f"findings must be a JSON object, got {type(data).__name__}")
    try:
        findings = Findings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise InputError(f"findings do not match the schema: {problems}") from exc
    for node in findings.nodes:
        if node.station is not None and node.station not in STATIONS:
            raise InputError(f"findings do not match the schema: nodes.station: unknown IASLC station {node.station!r}")
    return findings
