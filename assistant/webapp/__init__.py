"""What the web app shows, built without Gradio; ui.py only wires these to components.

- startup: the Assistant built lazily, warmed up, and the status line
- chat: chat turns streamed to answers, history, ratings and comments
- render: HTML from the Jinja2 templates in templates/ (autoescaped)
- quiz: the "Find your path" form and its role cards
- charts: the salary chart
- page: the page's fixed words, CSS and script
"""

from assistant.webapp.charts import CHART_REGIONS, SalaryBar, salary_bars, salary_chart
from assistant.webapp.chat import (
    ChatTurn,
    ChatView,
    chat_messages,
    comment_on_answer,
    history_of,
    rate_answer,
    stream_chat,
)
from assistant.webapp.page import (
    ANY_REGION,
    ASK_ABOUT_ROLE,
    EXAMPLE_QUESTIONS,
    FOLLOW_UP_HINT,
    INTRO,
    NO,
    REGION_CHOICES,
    SOURCES_PLACEHOLDER,
    TITLE,
    YES,
    assets_dir,
    page_css,
    page_head,
)
from assistant.webapp.quiz import MAX_SKILLS, QuizView, parse_skills, quiz_answers, quiz_library, quiz_view
from assistant.webapp.render import (
    answer_markdown,
    card_html,
    card_sources_html,
    cited_ids,
    comparison_html,
    comparison_rows,
    error_html,
    learn_next_html,
    lesson_key,
    lesson_sources_html,
    link_citations,
    profiled_roles,
    sources_panel_html,
)
from assistant.webapp.startup import LazyAssistant, status_text
from assistant.webapp.text import CONTROL_CHARS, PREVIEW_CHARS

__all__ = [
    "ANY_REGION",
    "ASK_ABOUT_ROLE",
    "CHART_REGIONS",
    "CONTROL_CHARS",
    "EXAMPLE_QUESTIONS",
    "FOLLOW_UP_HINT",
    "INTRO",
    "MAX_SKILLS",
    "NO",
    "PREVIEW_CHARS",
    "REGION_CHOICES",
    "SOURCES_PLACEHOLDER",
    "TITLE",
    "YES",
    "ChatTurn",
    "ChatView",
    "LazyAssistant",
    "QuizView",
    "SalaryBar",
    "answer_markdown",
    "assets_dir",
    "card_html",
    "card_sources_html",
    "chat_messages",
    "cited_ids",
    "comment_on_answer",
    "comparison_html",
    "comparison_rows",
    "error_html",
    "history_of",
    "learn_next_html",
    "lesson_key",
    "lesson_sources_html",
    "link_citations",
    "page_css",
    "page_head",
    "parse_skills",
    "profiled_roles",
    "quiz_answers",
    "quiz_library",
    "quiz_view",
    "rate_answer",
    "salary_bars",
    "salary_chart",
    "sources_panel_html",
    "status_text",
    "stream_chat",
]
