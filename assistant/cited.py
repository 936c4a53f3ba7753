"""A computed answer and its numbered sources: the shape every answer made by code (not by the
model) takes, with one citation per (role, section) in order of first use."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.roles import RoleFacts


@dataclass
class Computed:
    """An answer in the chain's result shape; `reason` is set when the guide is silent."""

    text: str
    sources: list[dict] = field(default_factory=list)
    declined: bool = False
    reason: str | None = None


class Sources:
    """Numbered sources, one per (role, section), in order of first citation."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def cite(self, facts: RoleFacts, section: str) -> str:
        citation = facts.citation(section)
        for item in self.items:
            if item["section"] == citation:
                return f"[{item['id']}]"
        text = facts.sections.get(section) or next(iter(facts.sections.values()), "")
        self.items.append({"id": len(self.items) + 1, "source": facts.source, "section": citation, "text": text})
        return f"[{len(self.items)}]"

    def cite_text(self, source: str, section: str, text: str) -> str:
        """A source that is not a role's section (the quiz), cited once."""
        for item in self.items:
            if item["section"] == section:
                return f"[{item['id']}]"
        self.items.append({"id": len(self.items) + 1, "source": source, "section": section, "text": text})
        return f"[{len(self.items)}]"
