"""Match rounds: define a round, load its pool, run the solver, adjust, publish.

One module per stage; everything the web pages, the API and the command line use is
re-exported here.
"""

from mentor_match.services.rounds.adjustments import (
    add_exclusion,
    add_pin,
    candidates_for,
    remove_exclusion,
    remove_pin,
)
from mentor_match.services.rounds.definition import (
    DEFAULT_MIN_OVERLAP,
    DEFAULT_SUGGESTIONS,
    MAX_MIN_OVERLAP,
    MAX_SUGGESTIONS,
    MODE_LABELS,
    NAME_MAX,
    REASON_TEXT,
    STALE_RUN,
    STATS_KEYS,
    WEIGHT_LABELS,
    create_round,
    effective_status,
    get_round,
    list_rounds,
    round_dict,
    round_summary,
)
from mentor_match.services.rounds.pool import Pool, load_round_input
from mentor_match.services.rounds.publishing import my_matches, publish_round
from mentor_match.services.rounds.running import (
    RUN_WAIT_SECONDS,
    Progress,
    beat,
    fail_run,
    fail_stale_runs,
    progress_recorder,
    queue_run,
    run_now,
    run_round,
    start_run,
    store_proposal,
    wait_for_run,
)

__all__ = [
    "DEFAULT_MIN_OVERLAP",
    "DEFAULT_SUGGESTIONS",
    "MAX_MIN_OVERLAP",
    "MAX_SUGGESTIONS",
    "MODE_LABELS",
    "NAME_MAX",
    "REASON_TEXT",
    "RUN_WAIT_SECONDS",
    "STALE_RUN",
    "STATS_KEYS",
    "WEIGHT_LABELS",
    "Pool",
    "Progress",
    "add_exclusion",
    "add_pin",
    "beat",
    "candidates_for",
    "create_round",
    "effective_status",
    "fail_run",
    "fail_stale_runs",
    "get_round",
    "list_rounds",
    "load_round_input",
    "my_matches",
    "progress_recorder",
    "publish_round",
    "queue_run",
    "remove_exclusion",
    "remove_pin",
    "round_dict",
    "round_summary",
    "run_now",
    "run_round",
    "start_run",
    "store_proposal",
    "wait_for_run",
]
