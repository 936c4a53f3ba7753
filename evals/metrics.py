"""Evaluation metrics: pure functions, no I/O, no project imports.

Answer scoring follows DESIGN.md ("Interfaces"): an answerable item passes when
every inner list of ``expected_facts`` has at least one alternative in the
answer (case-insensitive, numbers compared with separators and currency
symbols normalised); an out-of-scope item passes when the answer is declined.

Two optional per-item fields refine the rule (extra fields are allowed in the
dataset):

- ``accept_decline`` (bool): an answerable item whose honest answer is "the
  guide does not say" (category ``unanswerable``) also passes when declined.
- ``forbidden_facts`` (list of str): the item fails when any of these appears
  in the answer (e.g. another role's salary quoted for a region the guide does
  not cover).

Retrieval sources are matched on ``(title, section)`` case-insensitively;
expected sources are written ``"<title> / <section>"`` (titles may themselves
contain `` / ``, so the section is what follows the last separator).

The functions live by concern in answer_metrics, retrieval_metrics and summary_metrics;
this module gathers them for callers.
"""

from evals.answer_metrics import (
    contains_fact,
    decline_precision_recall,
    extract_figures,
    fact_hits,
    item_passes,
    normalise_text,
    says_not_in_guide,
    unsupported_figures,
)
from evals.retrieval_metrics import (
    SourceLike,
    hit_at_k,
    ndcg_at_k,
    reciprocal_rank,
    relevant_ranks,
    source_key,
)
from evals.summary_metrics import percentile, quiz_agreement, summarise

__all__ = [
    "SourceLike",
    "contains_fact",
    "decline_precision_recall",
    "extract_figures",
    "fact_hits",
    "hit_at_k",
    "item_passes",
    "ndcg_at_k",
    "normalise_text",
    "percentile",
    "quiz_agreement",
    "reciprocal_rank",
    "relevant_ranks",
    "says_not_in_guide",
    "source_key",
    "summarise",
    "unsupported_figures",
]
