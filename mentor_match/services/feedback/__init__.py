"""Guidance and feedback: competencies, feedback and reflections after attended shifts,
sign-offs and progress, mentorship agreements, tasks and coordinators' reports.

One module per part; this package re-exports what the pages, the API and the demo use.
"""

from mentor_match.services.feedback import agreements, assessments, competencies, reports, tasks
from mentor_match.services.feedback.common import LEVELS

__all__ = ["LEVELS", "agreements", "assessments", "competencies", "reports", "tasks"]
