"""Personalised path recommendations: quiz answers -> ranked role cards grounded in the guide.

`profile` reads a person's answers from free text, `cards` ranks and fills the role cards,
`render` writes them as markdown, `summary` adds the model's personal summary, and
`path_requests` answers "which role suits me?" in the chat.
"""

from assistant.recommend.cards import (
    NO_BREAK_IN,
    NO_PROFILE,
    RoleCard,
    add_plans,
    build_cards,
    recommendation_dict,
    skills_to_learn,
)
from assistant.recommend.path_requests import answer_path_request, is_path_request, stream_path_request
from assistant.recommend.profile import (
    DescriptionAnswers,
    answers_from_description,
    model_can_add,
    parse_model_answers,
    says_nothing,
)
from assistant.recommend.render import render_markdown
from assistant.recommend.summary import personal_summary

__all__ = [
    "NO_BREAK_IN", "NO_PROFILE", "DescriptionAnswers", "RoleCard", "add_plans", "answer_path_request",
    "answers_from_description", "build_cards", "is_path_request", "model_can_add", "parse_model_answers",
    "personal_summary", "recommendation_dict", "render_markdown", "says_nothing", "skills_to_learn",
    "stream_path_request",
]
