"""Checks that corpus/ carries the published guide's facts, in our own words.

The published guide (CC BY-SA 4.0, AI Educademy) lives outside the repository in
../shared/corpus/ai-educademy (override with CAREER_SHARED_CORPUS). It is parsed here
independently of the project's ingest code, so a parser bug cannot hide a corpus bug.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
FORMAT_DOC = REPO / "docs" / "corpus-format.md"
SHARED = Path(
    os.environ.get("CAREER_SHARED_CORPUS") or REPO.parent / "shared" / "corpus" / "ai-educademy"
)
GUIDE = SHARED / "blog" / "en" / "ai-career-paths.mdx"

NGRAM = 8
MAX_SECTION_WORDS = 120

# The licence identifier comes from the publisher's ATTRIBUTION.md, not from the article,
# so its version number is exempt from the "no invented numbers" check (and checked there).
LICENCE = "CC BY-SA 4.0"

# Words that may form an 8-word run shared with the guide: role names, background labels
# and list markers. A run made only of these is a list of names (the ten tracks, the quiz's
# Yes/No role lists), which the corpus format requires verbatim.
NAME_WORDS = frozenset(
    ["machine", "learning", "engineer", "engineering", "data", "scientist", "ai", "ml", "research", "researcher", "mlops", "infrastructure", "product", "manager", "pm", "prompt", "solutions", "specialist", "safety", "ethics", "computer", "vision", "nlp", "llm", "core", "policy", "track", "analyst", "software", "writer", "communications", "academic", "yes", "no", "or", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]
)

SALARY_RE = re.compile(
    r"^- (?P<region>[^:\n]+): (?P<low>[£$€][\d,]+) – (?P<high>[£$€][\d,]+)(?P<plus>\+)?"
    r"(?: \((?P<qual>[^)]+)\))?[ \t]*$",
    re.M,
)
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")


@pytest.fixture(scope="module")
def guide() -> str:
    if not GUIDE.is_file():
        pytest.skip(
            f"published guide not found at {GUIDE}; set CAREER_SHARED_CORPUS to the "
            "ai-educademy folder of the shared corpus"
        )
    return GUIDE.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- helpers


def split_front_matter(text: str) -> tuple[dict, str]:
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if not m:
        return {}, text
    return yaml.safe_load(m.group(1)) or {}, text[m.end() :]


def h2_sections(body: str) -> dict[str, str]:
    """`## heading` -> text up to the next `##` (keeps `###` inside)."""
    parts = re.split(r"^## (.+?)[ \t]*$", body, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def expected_files() -> list[dict]:
    """Rows of the Files table in docs/corpus-format.md."""
    rows = []
    for line in FORMAT_DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([\w.-]+\.md)` \| (.+?) \| (.+?) \|$", line)
        if not m:
            continue
        sections, subs, previous = [], {}, []
        for item in m.group(3).split(";"):
            item = item.strip()
            note = re.match(r"^(.*?)\s*\((.*)\)$", item)
            if note:
                item = note.group(1).strip()
                found = re.findall(r"`### ([^`]+)`", note.group(2))
                if not found and "same" in note.group(2):
                    found = previous
                subs[item] = previous = found
            sections.append(item)
        rows.append({"file": m.group(1), "title": m.group(2).strip(), "sections": sections, "subs": subs})
    return rows


def corpus_files() -> dict[str, tuple[dict, str]]:
    return {p.name: split_front_matter(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.md"))}


def files_by_role() -> dict[str, tuple[str, str]]:
    out = {}
    for name, (meta, body) in corpus_files().items():
        if meta.get("role"):
            out[meta["role"]] = (name, body)
    return out


def guide_roles(guide_text: str) -> dict[str, str]:
    """`## N. Role` -> that role's text in the published guide."""
    parts = re.split(r"^## \d+\. (.+?)[ \t]*$", guide_text, flags=re.M)
    roles = {}
    for i in range(1, len(parts), 2):
        roles[parts[i].strip()] = re.split(r"^## ", parts[i + 1], flags=re.M)[0]
    return roles


def guide_salaries(role_text: str) -> list[tuple]:
    block = role_text.split("**Salary range", 1)[1]
    block = re.split(r"\n\s*\n\*\*", block, maxsplit=1)[0]
    return [salary_key(m) for m in SALARY_RE.finditer(block)]


def salary_key(m: re.Match) -> tuple:
    return (m["region"].strip(), m["low"], m["high"], bool(m["plus"]), m["qual"])


def words(text: str) -> list[str]:
    text = text.lower().replace("’", "").replace("'", "")
    text = re.sub(r"(?<=\d),(?=\d)", "", text)
    return re.findall(r"[a-z0-9]+", text)


def ngrams(tokens: list[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


# --------------------------------------------------------------------------- tests


def test_guide_parses(guide):
    roles = guide_roles(guide)
    assert len(roles) == 7, list(roles)
    assert all(guide_salaries(text) for text in roles.values())


def test_every_guide_salary_is_in_the_right_role_file(guide):
    by_role = files_by_role()
    for role, text in guide_roles(guide).items():
        assert role in by_role, f"no corpus file has role: {role!r}"
        name, body = by_role[role]
        section = h2_sections(body).get("Salary range", "")
        found = [salary_key(m) for m in SALARY_RE.finditer(section)]
        expected = guide_salaries(text)
        for item in expected:
            assert item in found, f"{name}: missing salary bullet {item}; found {found}"
        assert sorted(found, key=str) == sorted(expected, key=str), f"{name}: extra salary bullets"
        assert "2026 estimates" in section, f"{name}: salary section should say they are 2026 estimates"


def test_files_titles_and_sections_match_the_format_doc():
    rows = expected_files()
    assert len(rows) == 10
    files = corpus_files()
    for row in rows:
        assert row["file"] in files, f"missing corpus/{row['file']}"
        meta, body = files[row["file"]]
        assert meta.get("title") == row["title"], row["file"]
        assert re.findall(r"^# (.+?)[ \t]*$", body, re.M) == [row["title"]], row["file"]
        assert list(h2_sections(body)) == row["sections"], row["file"]
        for section, text in h2_sections(body).items():
            assert re.findall(r"^### (.+?)[ \t]*$", text, re.M) == row["subs"].get(section, []), (
                row["file"],
                section,
            )
        if "Summary" in row["sections"]:
            assert meta.get("role") == row["title"], row["file"]
            assert isinstance(meta.get("aliases"), list) and meta["aliases"], row["file"]


def test_sections_stand_alone_and_stay_short():
    for name, (meta, body) in corpus_files().items():
        for section, text in h2_sections(body).items():
            first = next(line for line in text.splitlines() if line.strip())
            assert meta["title"].lower() in first.lower(), f"{name} / {section}: first line must name {meta['title']!r}"
            n = len(words(text))
            assert n <= MAX_SECTION_WORDS, f"{name} / {section}: {n} words"


def test_choosing_your_path_lists():
    _, body = corpus_files()["choosing-your-path.md"]
    for section, text in h2_sections(body).items():
        bullets = re.findall(r"^- (.+)$", text, re.M)
        if section.endswith("?"):
            assert [b.split(":")[0] for b in bullets] == ["Yes", "No"], section


def test_quiz_matches_the_guide(guide):
    quiz = guide.split("## How to Choose Your Path", 1)[1].split("\n## ", 1)[0]
    _, body = corpus_files()["choosing-your-path.md"]
    ours = h2_sections(body)
    for question, answers in re.findall(r"^\*\*(.+\?)\*\*\n((?:→ .+\n)+)", quiz, re.M):
        if question not in ours:
            continue  # the background question is rendered as "Your current background"
        for answer, roles in re.findall(r"^→ (Yes|No): (.+)$", answers, re.M):
            assert f"- {answer}: {roles.strip()}" in ours[question], (question, answer)
    background = ours["Your current background"]
    for who, roles in re.findall(r"^- ([\w/ ]+) → (.+)$", quiz, re.M):
        line = next((b for b in background.splitlines() if b.startswith(f"- {who}:")), None)
        assert line, f"no background bullet for {who}"
        target = re.sub(r" is a natural transition$", "", roles.strip())
        for role in re.split(r" or ", target):
            assert role in line, (who, role)


def test_tools_named_in_the_guide_are_in_the_role_file(guide):
    by_role = files_by_role()
    for role, text in guide_roles(guide).items():
        name, body = by_role[role]
        lower = body.lower()
        for line in re.findall(r"^- (.+)$", text, re.M):
            for group in re.findall(r"\(([^)]+)\)", line):
                items = re.split(r",\s*(?:or\s+)?", group)
                if any(len(item.split()) > 3 for item in items):
                    continue  # a remark in brackets, not a list of names
                for item in items:
                    assert item.lower() in lower, f"{name}: {item!r} (from {line!r})"


def test_no_eight_word_run_of_the_guide(guide):
    original = ngrams(words(guide))
    questions = {s for row in expected_files() for s in row["sections"] if s.endswith("?")}
    for name in corpus_files():
        text = (CORPUS / name).read_text(encoding="utf-8")
        kept = [
            line
            for line in text.splitlines()
            # salary bullets and the quiz questions are fixed by docs/corpus-format.md
            if not SALARY_RE.match(line) and line.removeprefix("## ") not in questions
        ]
        copied = [
            " ".join(g) for g in ngrams(words("\n".join(kept))) & original if not set(g) <= NAME_WORDS
        ]
        assert not copied, f"{name} repeats the guide word for word: {sorted(copied)}"


def test_no_invented_numbers(guide):
    allowed = set(NUMBER_RE.findall(guide))
    assert LICENCE in (SHARED / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for name in corpus_files():
        text = (CORPUS / name).read_text(encoding="utf-8").replace(LICENCE, "")
        invented = sorted(set(NUMBER_RE.findall(text)) - allowed)
        assert not invented, f"{name}: numbers not in the guide: {invented}"


def test_role_files_keep_the_guide_terms(guide):
    """Our wording may differ, the guide's terms may not: a user who asks about "monitoring"
    or "scalability" must find the word the guide uses in the role's file, in the guide's own
    form ("reliability", not "reliable"; "framework", not "frameworks"). Every long word of
    the guide's role bullets (verbs in -ing aside) appears there as the same whole word."""
    by_role = files_by_role()
    for role, text in guide_roles(guide).items():
        name, body = by_role[role]
        have = set(words(body))
        for line in re.findall(r"^- (.+)$", text, re.M):
            lost = [w for w in words(line) if len(w) >= 8 and not w.endswith("ing") and w not in have]
            assert not lost, f"{name} lost the guide's term(s) {lost} (from {line!r})"


def role_sections(body: str) -> dict[str, str]:
    """Lower-cased `##` heading -> its text, for one role file."""
    found = re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", "\n" + body, re.M | re.S)
    return {heading.strip().lower(): text for heading, text in found}


def guide_prose(role_text: str) -> list[tuple[str, str]]:
    """(label, line) for the guide's labelled prose of a role ("**Who it suits**: ..."),
    with the label lower-cased and "the role" named by our section for it, "summary"."""
    out = []
    for label, line in re.findall(r"^\*\*([^*]+?):?\*\*:? (.+)$", role_text, re.M):
        label = label.strip().rstrip(":").lower()
        out.append(("summary" if label == "the role" else label, line))
    return out


def test_role_sections_keep_the_guide_terms_of_their_prose(guide):
    """The same for the guide's labelled prose ("Who it suits", "The role", notes), section by
    section: "communicate findings" must stay in the Who it suits section, not only in Skills.
    Long words (verbs in -ing and adverbs aside) appear there as the same whole word:
    "investigation", not "investigating"; "storytellers", not "storyteller"."""
    by_role = files_by_role()
    for role, text in guide_roles(guide).items():
        name, body = by_role[role]
        sections = role_sections(body)
        for label, line in guide_prose(text):
            if label.startswith(("salary", "skills")):
                continue  # figures and bullets: the tests above
            section = sections.get(label)
            assert section is not None, f"{name} has no section for the guide's {label!r}"
            have = set(words(section))
            lost = [w for w in words(line) if len(w) >= 8 and not w.endswith(("ing", "ly")) and w not in have]
            assert not lost, f"{name} / {label} lost the guide's term(s) {lost} (from {line!r})"


# Function words, and the contractions of them the guide uses ("don't", "they're"), as
# words() spells them: a two-word run with one of these in it is grammar, not a phrase.
STOPWORDS = frozenset(
    [
        "about", "above", "after", "again", "also", "although", "among", "because", "been", "before",
        "being", "below", "between", "beyond", "both", "could", "does", "doing", "down", "during",
        "each", "either", "else", "even", "ever", "every", "from", "further", "have", "having", "here",
        "into", "itself", "just", "many", "more", "most", "much", "must", "once", "often", "only",
        "other", "others", "over", "rather", "same", "should", "some", "such", "than", "that", "their",
        "them", "then", "there", "these", "they", "this", "those", "though", "through", "under",
        "until", "upon", "very", "well", "were", "what", "when", "where", "whether", "which", "while",
        "whom", "whose", "will", "with", "within", "without", "would", "your", "yours", "arent",
        "didnt", "doesnt", "dont", "isnt", "theyre", "thats", "whats", "whove", "youre", "youve", "wont",
    ]
)


def phrase_pairs(line: str) -> list[str]:
    """The guide's short phrases in a line: every two-word run inside one clause (no
    punctuation between) whose words both have four letters or more and are neither
    function words nor adverbs in -ly ("business decisions", "hardest open", "open problems")."""
    pairs = []
    for clause in re.split(r"[.,;:!?()\[\]—–]", line):
        ws = words(clause)
        pairs += [
            f"{a} {b}"
            for a, b in zip(ws, ws[1:], strict=False)
            if all(len(w) >= 4 and w not in STOPWORDS and not w.endswith("ly") for w in (a, b))
        ]
    return pairs


def test_role_sections_keep_the_guide_phrases_of_who_it_suits_and_the_role(guide):
    """Beyond single words, the short phrases of the guide's "The role" and "Who it suits"
    lines stay together in our matching section: "technical background", "open problems",
    "AI-powered workflows", not "background mixing business and technical experience"."""
    by_role = files_by_role()
    for role, text in guide_roles(guide).items():
        name, body = by_role[role]
        sections = role_sections(body)
        for label, line in guide_prose(text):
            if label not in ("summary", "who it suits"):
                continue
            have = f" {' '.join(words(sections.get(label, '')))} "
            lost = [pair for pair in phrase_pairs(line) if f" {pair} " not in have]
            assert not lost, f"{name} / {label} lost the guide's phrase(s) {lost} (from {line!r})"
