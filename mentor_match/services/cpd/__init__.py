"""The CPD portfolio: shadowing hours, CE activities and certificates, cycle rules, compliance."""

from mentor_match.services.cpd.shadowing import (
    CpdEntry,
    CpdLog,
    CpdReport,
    HoursRow,
    cpd_csv,
    cpd_dict,
    cpd_log,
    cpd_report,
)

__all__ = [
    "CpdEntry",
    "CpdLog",
    "CpdReport",
    "HoursRow",
    "cpd_csv",
    "cpd_dict",
    "cpd_log",
    "cpd_report",
]
