"""Small numbered source sets shared by the citation tests."""

from __future__ import annotations

import pytest

from rag.generate.base import Source

EFFUSION = (
    "A pleural effusion is an abnormal collection of fluid in the pleural space. "
    "Small effusions blunt the costophrenic angle on upright chest radiographs. "
    "Ultrasound detects effusions as small as 5 mL."
)
T_RULES = (
    "T1: tumour 3 cm or less in greatest dimension, surrounded by lung or visceral pleura. "
    "T2: tumour more than 3 cm but not more than 5 cm, or invading the visceral pleura, "
    "or involving the main bronchus. T3: tumour more than 5 cm but not more than 7 cm."
)


@pytest.fixture
def sources() -> list[Source]:
    return [
        Source(1, "effusion-101", "Pleural effusion basics", EFFUSION, 0.82, section="Definition", page=3),
        Source(2, "tnm8-t", "TNM 8th edition: T category", T_RULES, 0.64, section="Lung > T", page=12),
        Source(3, "tnm8-m", "TNM 8th edition: M category", "M0: no distant metastasis.", 0.41),
    ]
