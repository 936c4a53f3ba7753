"""The page's fixed words (title, intro, example questions, choices) and its own CSS and script."""

from __future__ import annotations

from pathlib import Path

TITLE = "AI Career Assistant"
INTRO = (
    "Ask about AI careers (roles, skills, salaries by region, how to break in) and get answers "
    "from the AI career guide, with citations you can open. Take the guide's quiz to find your "
    "path, or compare roles side by side. Everything runs on this machine."
)
EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "What does a Machine Learning Engineer earn in the UK?",
    "What skills does an MLOps engineer need?",
    "What does an AI Product Manager do day to day?",
    "How do I break in as a Prompt Engineer?",
)
FOLLOW_UP_HINT = 'Ask a follow-up such as "And in the US?" or "What skills does it need?"'
ASK_ABOUT_ROLE = "What are the day-to-day tasks of a {role}?"
SOURCES_PLACEHOLDER = (
    "The guide passages behind each answer appear here. Click a citation such as [1] in an "
    "answer to open its passage."
)
YES, NO = "Yes", "No"
ANY_REGION = "Any region"
REGION_CHOICES: dict[str, str | None] = {
    ANY_REGION: None, "UK": "uk", "US": "us", "Global tech hubs": "global"}


def assets_dir() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "assets"


def page_head() -> str:
    """The page's own script (citation links open their passage), inline: no external URL."""
    script = (assets_dir() / "app.js").read_text(encoding="utf-8")
    return f"<script>\n{script}\n</script>"


def page_css() -> str:
    return (assets_dir() / "app.css").read_text(encoding="utf-8")
