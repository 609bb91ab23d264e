"""Recertification rules for pharmacy technicians: ACPE activity numbers and CE requirements.

Pure: the standard library only. Services turn database rows into the plain records here.
"""

from .requirements import (
    KINDS,
    PTCB_RULES,
    ActivityRecord,
    CategoryRule,
    Cycle,
    Progress,
    RequirementResult,
    RulesError,
    RuleSet,
    evaluate,
    hours_phrase,
)
from .uan import (
    AUDIENCES,
    FORMATS,
    TOPICS,
    Uan,
    UanError,
    parse_uan,
)

__all__ = [
    "AUDIENCES",
    "FORMATS",
    "KINDS",
    "PTCB_RULES",
    "TOPICS",
    "ActivityRecord",
    "CategoryRule",
    "Cycle",
    "Progress",
    "RequirementResult",
    "RuleSet",
    "RulesError",
    "Uan",
    "UanError",
    "evaluate",
    "hours_phrase",
    "parse_uan",
]
