"""The cards as markdown for the chat and the CLI."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.plan import flatten
from assistant.quiz import (
    QuizAnswers,
    background_of,
)
from assistant.recommend.cards import NEAREST_REASON, RoleCard
from assistant.regions import normalize_region

logger = logging.getLogger(__name__)

def render_markdown(cards: list[RoleCard], answers: QuizAnswers, summary: str | None = None) -> str:
    """The cards as markdown for the chat and the CLI: numbered roles with fit, reasons,
    salary, skills to learn, how to break in, the personal summary if any, and the sources as [n]."""
    if not cards:
        return "I could not rank any roles: the guide's role files are missing."
    lines = [f"**Your AI career paths, from the guide's quiz** ({_describe(answers)})", ""]
    for i, card in enumerate(cards, 1):
        fit = f"{round(card.score * 100)}% fit" if card.score or NEAREST_REASON not in card.reasons else "nearest to what you said"
        lines.append(f"### {i}. {card.role} — {fit}")
        lines.append(f"**Why it fits:** {card.why}{_refs(card.cites.get('why'))}")
        if card.reasons:
            reasons = "; ".join(
                f"{r}{_refs([sid])}"
                for r, sid in zip(card.reasons, card.cites.get("reasons", []), strict=False)
            )
            lines.append(f"- **Because** {reasons}")
        if card.detailed:
            if card.salary:
                label = "Salary (the guide's 2026 estimates)"
                ranges = "; ".join(
                    f"{s['region']}: {s['range']}" + (f" ({s['qualifier']})" if s["qualifier"] else "")
                    for s in card.salary
                )
                note = f" {card.salary_note}" if card.salary_note else ""
                lines.append(f"- **{label}:** {ranges}{_refs(card.cites.get('salary'))}{note}")
            if card.skills_to_learn:
                lines.append(
                    f"- **Skills to learn:** {'; '.join(card.skills_to_learn)}"
                    f"{_refs(card.cites.get('skills'))}"
                )
            elif card.skills:
                lines.append(
                    f"- **Skills:** you already have the skills the guide lists"
                    f"{_refs(card.cites.get('skills'))}"
                )
            lines.append(f"- **How to break in:** {card.break_in}{_refs(card.cites.get('break_in'))}")
            lines.extend(_plan_lines(card))
        lines.append("")
    if summary:
        lines += [f"**For you:** {summary.strip()}", ""]
    seen: set[int] = set()
    lines.append("**Sources**")
    for card in cards:
        for s in card.sources:
            if s["id"] not in seen:
                seen.add(s["id"])
                lines.append(f"[{s['id']}] {s['section']} ({Path(s['source']).name})")
    return "\n".join(lines).rstrip() + "\n"


def _plan_lines(card: RoleCard) -> list[str]:
    """"Learn next": the card's lessons, easiest first, each with its quoted reason and file."""
    if card.plan_note:
        return [f"- **Learn next:** {card.plan_note}"]
    steps = flatten(card.plan)
    if not card.plan:
        return []
    lines = ["- **Learn next** (lessons from the course library):"]
    for step in steps:
        level = f", level {step.level}" if step.level is not None else ""
        lines.append(f"  - {step.title} ({step.section}{level}; {Path(step.source).name}), "
                     f"for *{step.skill}*: “{step.why}”")
    missing = [p.skill for p in card.plan if not p.steps]
    if missing:
        lines.append(f"  - The library has no lesson on: {'; '.join(missing)}")
    return lines


def _refs(ids: list[int] | None) -> str:
    return "".join(f" [{i}]" for i in ids) if ids else ""


def _describe(answers: QuizAnswers) -> str:
    def yn(key: str) -> str:
        value = answers.answer(key)
        read = " (as read from what you said)" if key in answers.inferred else ""
        return "not said" if value is None else ("yes" if value else "no") + read

    parts = [
        f"loves code: {yn('code')}",
        f"drawn to research: {yn('research')}",
        f"enjoys business stakeholders: {yn('stakeholders')}",
        f"background: {background_of(answers.background).key}"
        + (" (as read from what you said)" if "background" in answers.inferred else ""),
    ]
    if answers.region:
        key = normalize_region(answers.region)
        parts.append(f"region: {(key or answers.region).upper() if key != 'global' else 'global tech hubs'}")
    if answers.skills:
        parts.append(f"skills: {', '.join(answers.skills)}")
    return "; ".join(parts)
