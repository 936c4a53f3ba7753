"""Answers computed from the guide's parsed role facts: sections, salary comparisons and
rankings, "which roles need X", and what the guide does not say. No model involved: the
small model cannot compare ranges or know what is missing, so code does it, with citations."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant import lexicon, phrasing
from assistant.about import about_the_guide
from assistant.catalogue import asks_for_the_catalogue, the_catalogue
from assistant.cited import Computed, Sources
from assistant.contrasts import (
    asks_how_they_differ,
    compare_on_quiz,
    compare_profiles,
    compare_tracks,
    on_its_track,
    on_side,
    quiz_condition,
    quiz_ref,
    quiz_set_aside,
    rank_on_quiz,
    what_the_quiz_asks,
)
from assistant.recommend.profile import says_nothing
from assistant.regions import regions_named
from assistant.roles import LISTED_SECTION, SALARY, SKILLS, RoleFacts
from assistant.salaries import SalaryRange
from assistant.sections import only_some_have, role_section
from assistant.understanding import Reading

REGION_ORDER = ("uk", "us", "global")
PROFILE_TOPICS = ("salary", "skills", "tasks", "suits", "break_in")


def compute(reading: Reading, roles: Mapping[str, RoleFacts]) -> Computed | None:
    """The computed answer for `reading`, or None when the question needs the model."""
    if reading.kind == "path_request":  # nothing known about the person: the quiz's questions, not 0%-fit cards
        return what_the_quiz_asks(roles) if says_nothing(reading.text) else None
    if reading.kind in {"meta", "out_of_scope"}:
        return None
    facts = [on_its_track(reading.text, roles[r]) for r in reading.roles if r in roles]
    silent = guide_silence(reading, facts, roles)
    if silent is not None:
        return silent
    if reading.kind == "general" and reading.topic in {"about", "help"}:
        return about_the_guide(roles, help_asked=reading.topic == "help")
    if asks_for_the_catalogue(reading) or (reading.kind == "general" and reading.topic == "overview"):
        return the_catalogue(roles)
    if reading.topic == "quiz" and reading.kind == "general":
        return what_the_quiz_asks(roles)
    if len(facts) == 1 and facts[0].skill_tracks and reading.kind in {"role_fact", "comparison"} \
            and (reading.topic != "salary" or asks_how_they_differ(reading)):  # "how do they differ, incl pay"
        tracks = compare_tracks(reading, facts[0])
        if tracks is not None:
            return tracks
    if reading.kind in {"ranking", "general"} and reading.topic is None:
        at_one_end = rank_on_quiz(reading, roles)  # "the least technical kinds of AI work"
        if at_one_end is not None:
            return at_one_end
    if reading.kind == "ranking" and reading.skill:
        return roles_needing(reading.skill, {t: f for t, f in roles.items() if t not in reading.set_aside})
    if reading.kind == "ranking" and reading.topic == "salary":
        return rank_salaries(reading, roles)
    if reading.kind == "comparison" and reading.topic == "salary" and len(facts) >= 2:
        return compare_salaries(reading, facts)
    if reading.kind == "comparison" and reading.topic != "salary" and all(f.detailed for f in facts):
        # "who codes more": the quiz's sides, whatever else is asked; "how do they differ": their profiles
        on_quiz = None if asks_how_they_differ(reading) else compare_on_quiz(reading, facts)
        if on_quiz is not None:
            return on_quiz
        side_by_side = compare_profiles(reading, facts)
        if side_by_side is not None:
            return side_by_side
    if not facts and reading.kind in {"general", "ranking"} and reading.topic not in {None, *lexicon.TOPIC_SECTION}:
        return only_some_have(reading.topic, roles)  # "which job is most in demand?": the Growth outlook
    if reading.kind == "role_fact" and len(facts) == 1:
        if reading.topic == "salary" and not phrasing.ASKS_WHY.search(reading.text):
            # "is it well paid?", "what would I realistically earn?": the figures are the guide's answer
            return salary_answer(reading.region, facts[0], regions_named(reading.text))
        if not reading.judgement and not reading.yes_no:
            return section_answer(reading, facts[0])
    return None


def section_answer(reading: Reading, facts: RoleFacts) -> Computed | None:
    """A role's section when asked plainly ("what does an MLOps engineer do?")."""
    if reading.topic == "salary":
        return salary_answer(reading.region, facts, regions_named(reading.text))
    return role_section(reading.topic, facts)


def salary_answer(region: str | None, facts: RoleFacts, regions: Sequence[str] = ()) -> Computed | None:
    """A role's range in the region asked, in each of several regions asked ("in the UK and the
    US?"), or in every region it has."""
    if not facts.salaries:
        return None
    src = Sources()
    ref = src.cite(facts, SALARY)
    keys = list(regions) if len(regions) >= 2 else [region] if region else []
    chosen = [r for k in keys for r in ranges_in(facts, k)] if keys else list(facts.salaries)
    if not chosen:
        return None
    lacking = [lexicon.REGION_LABEL[k] for k in keys if not ranges_in(facts, k)]
    if len(keys) >= 2:
        lines = [f"- {r.region}: {r.display(with_qualifier=True)}" for r in chosen]
        lines += [f"- {where[:1].upper() + where[1:]}: the guide gives no figure for this role" for where in lacking]
        return Computed(f"The guide's salary ranges for the {facts.title} (2026 estimates) {ref}:\n" + "\n".join(lines),
                        src.items)
    if region and len(chosen) == 1:
        r = chosen[0]
        where = lexicon.REGION_LABEL[region]
        named = re.search(r"\((.+)\)", r.region)  # "Global tech hubs (Berlin, Toronto, Singapore)"
        label = f" ({named.group(1)})" if named else "" if r.region_key else f" ({r.region})"
        return Computed(f"The guide's salary range for the {facts.title} in {where}{label} is "
                        f"{r.display(with_qualifier=True)} {ref} (2026 estimates).", src.items)
    lines = [f"- {r.region}: {r.display(with_qualifier=True)}" for r in chosen]
    return Computed(f"The guide's salary ranges for the {facts.title} (2026 estimates) {ref}:\n" + "\n".join(lines),
                    src.items)


def compare_salaries(reading: Reading, roles: list[RoleFacts]) -> Computed:
    """Two or more roles' ranges side by side per region, and which is higher, by code."""
    src = Sources()
    regions = [reading.region] if reading.region else [k for k in REGION_ORDER
                                                      if sum(bool(ranges_in(f, k)) for f in roles) >= 2]
    parts: list[str] = []
    for key in regions:
        rows = [(f, ranges_in(f, key)[0]) for f in roles if ranges_in(f, key)]
        lacking = [f.title for f in roles if not ranges_in(f, key)]
        where = lexicon.REGION_LABEL[key]
        lines = [f"- {f.title}: {r.display(with_qualifier=True)}{_track(r)} {src.cite(f, SALARY)}" for f, r in rows]
        text = f"In {where}:\n" + "\n".join(lines)
        if len(rows) >= 2:
            text += "\n" + verdict(rows, reading.direction)
        if lacking:
            text += f"\nThe guide gives no figure for the {' or the '.join(lacking)} in {where}."
        parts.append(text)
    if not parts:
        given = "; ".join(f"{f.title}: " + ", ".join(f"{r.region} {r.display()}" for r in f.salaries)
                          + f" {src.cite(f, SALARY)}" for f in roles if f.salaries)
        return Computed("The guide gives no figures in a shared region and currency for these roles, so they "
                        f"cannot be compared. What it gives: {given}.", src.items)
    return Computed("Salary ranges from the guide (2026 estimates):\n\n" + "\n\n".join(parts), src.items)


def verdict(rows: list[tuple[RoleFacts, SalaryRange]], direction: str | None) -> str:
    """Which range is higher, honestly: ranges that cross are said to cross, and an open
    upper bound ("$250,000+") is higher only when its known part already is."""
    ordered = sorted(rows, key=lambda fr: (fr[1].high, fr[1].low), reverse=True)
    (fa, a), (fb, b) = ordered[0], ordered[1]
    starts = (a.low > b.low) - (a.low < b.low)
    tops = _top_order(a, b)
    if starts == 0 and tops == 0:
        return f"The {fa.title} and the {fb.title} have the same range here."
    if tops is not None and starts >= 0 and tops >= 0:
        high, low = fa, fb
    elif tops is not None and starts <= 0 and tops <= 0:
        high, low = fb, fa
    elif tops is None:
        opened, other = (fa, fb) if a.open_ended else (fb, fa)
        other_starts_higher = (starts < 0) if opened is fa else (starts > 0)
        lead = f"The {other.title}'s range starts higher, but t" if other_starts_higher else "T"
        return (f"{lead}he {opened.title}'s range is open-ended at the top, so the guide's figures do not say "
                "which is paid more.")
    else:
        first, second = (fa, fb) if starts > 0 else (fb, fa)
        return (f"Neither range is higher at both ends: the {first.title}'s starts higher, while the "
                f"{second.title}'s reaches higher.")
    if direction == "low":
        return f"The {low.title} is paid less: its range is lower than the {high.title}'s at both ends."
    return f"The {high.title} is paid more: its range is higher than the {low.title}'s at both ends."


def _top_order(a: SalaryRange, b: SalaryRange) -> int | None:
    """1 when a's upper bound is higher, -1 when b's is, 0 when equal, None when an open
    bound ("+") makes it unknowable."""
    order = (a.high > b.high) - (a.high < b.high)
    if a.open_ended == b.open_ended:
        return order
    if a.open_ended:
        return 1 if order >= 0 else None
    return -1 if order <= 0 else None


def rank_salaries(reading: Reading, roles: Mapping[str, RoleFacts]) -> Computed:
    """Every profiled role ordered by its range in each region the question allows."""
    src = Sources()
    regions = [reading.region] if reading.region else list(REGION_ORDER)
    low_first = reading.direction == "low"
    end = ranked_end(reading)
    sign = 1 if low_first else -1
    parts = []
    aside = quiz_set_aside(reading.text, roles)  # "ignoring research, ...": its Yes side left out
    condition = None if aside else quiz_condition(reading.text, roles)  # "...where i don't have to write code"
    among = on_side(*condition) if condition else {f.title: None for f in roles.values()}
    left_out = set(reading.set_aside) | set(on_side(aside, True) if aside else ())
    among = {t: track for t, track in among.items() if t not in left_out}  # "leaving out the research roles"
    if condition and not among:  # the condition named the roles set aside ("the research roles (RS + safety)")
        condition, among = None, {f.title: None for f in roles.values() if f.title not in reading.set_aside}
    if condition:
        names = ", ".join(f"{t} ({track} track)" if track else t for t, track in among.items())
        parts.append(f"Among the roles the guide's quiz points to when you answer {'Yes' if condition[1] else 'No'} to "
                     f"\"{condition[0].text}\" ({names}) {quiz_ref(src, roles, condition[0])}:")
    for key in regions:
        rows = [(f, r) for f in roles.values() if f.detailed and f.title in among
                for r in [x for x in ranges_in(f, key) if (among[f.title] or "") in x.region.lower()][:1]]
        if not rows or (len(rows) < 2 and not reading.region):
            continue
        rows.sort(key=lambda fr: (sign * fr[1].low, sign * fr[1].high) if end == "low"
                  else (sign * fr[1].high, sign * fr[1].low))
        lines = [f"{n}. {f.title}: {r.display(with_qualifier=True)}{_track(r)} {src.cite(f, SALARY)}"
                 for n, (f, r) in enumerate(rows, start=1)]
        best = rows[0][0].title
        how = f"{'lowest' if low_first else 'highest'} {'starting' if end == 'low' else 'top'} figure"
        lead = (f"In {lexicon.REGION_LABEL[key]}, the {best} has the {how}:" if len(rows) > 1 else
                f"Only the {best} has a figure for {lexicon.REGION_LABEL[key]}:")
        parts.append(lead + "\n" + "\n".join(lines))
    if len(parts) == bool(condition):
        where = lexicon.REGION_LABEL.get(reading.region or "", "that region")
        return Computed(f"The guide gives no salary figures for any role in {where}.", src.items,
                        declined=True, reason="not_in_guide")
    order = f"by the {'bottom' if end == 'low' else 'top'} of each range, {'lowest' if low_first else 'highest'} first"
    if reading.set_aside or aside:
        order += f", leaving out the {' and the '.join(t for t in roles if t in left_out)}"
    if aside:
        order += (f" (the roles the guide's quiz points to when you answer Yes to \"{aside.text}\" "
                  f"{quiz_ref(src, roles, aside)})")
    return Computed(f"Ranked {order}, using the guide's 2026 salary estimates:\n\n" + "\n\n".join(parts),
                    src.items)


def ranked_end(reading: Reading) -> str:
    """Which end of the salary ranges a ranking goes by: the one the question names ("the
    highest starting pay": "low"), else the top for the best paid and the bottom for the worst."""
    low = phrasing.normal(reading.text)
    ends = [e for e, words in lexicon.RANGE_ENDS.items() if phrasing.has_any(low, words)]
    return ends[0] if len(ends) == 1 else ("low" if reading.direction == "low" else "high")


def roles_needing(skill: str, roles: Mapping[str, RoleFacts]) -> Computed | None:
    """The roles whose skills or tasks in the guide mention `skill` ("docker", "deploys models").

    A line matches on most of the words asked (prefixes, so "runs" finds "Running"). None when
    no line matches but the words are in the guide (the model reads the prose); a decline when
    the guide has none of them.
    """
    src = Sources()
    terms = [t.rstrip("s") if len(t) > 3 else t for t in skill.lower().split() if t]
    need = max(1, -(-2 * len(terms) // 3))  # two words of two, two of three: not one stray verb
    found: list[tuple[int, RoleFacts, str, list[str]]] = []
    for facts in roles.values():
        if not facts.detailed:
            continue
        for section, items in (("Skills", [*facts.skills, *(x for v in facts.skill_tracks.values() for x in v)]),
                               ("Day-to-day tasks", list(facts.tasks))):
            scored = [(sum(_mentions(x, t) for t in terms), x) for x in dict.fromkeys(items)]
            best = max((n for n, _ in scored), default=0)
            if best >= need:
                found.append((best, facts, section, [x for n, x in scored if n == best]))
    top = max((n for n, *_ in found), default=0)
    lines = [f"- {f.title} ({section.lower()}): {'; '.join(items)} {src.cite(f, section)}"
             for n, f, section, items in found if n == top]
    if lines:
        return Computed(f"Roles whose profiles in the guide mention {skill}:\n" + "\n".join(lines), src.items)
    guide = " ".join(t for f in roles.values() for t in f.sections.values()).lower()
    if any(_mentions(guide, t) for t in terms if len(t) > 3):
        return None
    return Computed(f"None of the guide's role profiles lists \"{skill}\" among its skills or tasks. The profiles "
                    "cover programming, maths and statistics, ML, data, deployment and communication; ask about "
                    "one role's skills to see its list.", declined=True, reason="not_in_guide")


def guide_silence(reading: Reading, facts: list[RoleFacts], roles: Mapping[str, RoleFacts]) -> Computed | None:
    """What the guide does not give, said plainly with what it gives nearest."""
    listed = [f for f in facts if not f.detailed]
    if listed and len(listed) == len(facts) and (reading.topic in PROFILE_TOPICS or reading.topic in {None, "summary"}):
        src = Sources()
        ref = src.cite(listed[0], LISTED_SECTION)  # the one list that names them all
        names, them = (f"the {listed[0].title}", "it") if len(listed) == 1 \
            else (" and the ".join(f.title for f in listed).join(("the ", "")), "them")
        tracks = "one of its career tracks" if len(listed) == 1 else "career tracks"
        return Computed(f"The guide lists {names} as {tracks} but gives no detailed profile "
                        f"for {them}: no day-to-day tasks, skills or salary figures {ref}.", src.items,
                        declined=True, reason="not_in_guide")
    if reading.unprofiled and not facts:
        names = " and ".join(reading.unprofiled)
        return Computed(f"The guide mentions {names} only in passing: it gives no profile, tasks, skills or salary "
                        f"for it. It profiles {', '.join(f.title for f in roles.values() if f.detailed)}.",
                        declined=True, reason="not_in_guide")
    if reading.gap == "pay by seniority" and reading.kind in {"ranking", "comparison"}:
        # "which of these has the highest starting salary?": the named roles ranked by the end asked
        named = {f.title: f for f in facts if f.detailed}
        return _rank_without_seniority(reading, named if reading.kind == "comparison" and len(named) >= 2 else roles)
    if reading.gap:
        return _gap_answer(reading, facts)
    if reading.topic != "salary" or reading.kind not in {"role_fact", "comparison", "ranking", "general"}:
        return None
    if reading.foreign and facts:  # "a dentist's pay compared to a data scientist's"
        return _no_figures(f"{' or '.join(reading.foreign)} (not a role the guide covers)", facts, roles)
    if reading.place:
        return _no_figures(reading.place, facts, roles)
    if reading.region and reading.kind == "role_fact" and facts and facts[0].salaries \
            and not ranges_in(facts[0], reading.region):
        track = " on this track" if facts[0].salaries != roles[facts[0].title].salaries else ""
        return _no_figures(f"{lexicon.REGION_LABEL[reading.region]} for the {facts[0].title}{track}", facts, roles)
    return None


def ranges_in(facts: RoleFacts, region: str | None) -> list[SalaryRange]:
    """The role's ranges for a region key; a range labelled by track (AI Safety's "Technical AI
    safety at labs") counts for the region of its currency."""
    if region is None:
        return list(facts.salaries)
    return [r for r in facts.salaries
            if r.region_key == region or (r.region_key is None and lexicon.CURRENCY_REGION.get(r.currency) == region)]


def _no_figures(place: str, facts: list[RoleFacts], roles: Mapping[str, RoleFacts]) -> Computed:
    src = Sources()
    profiled = [f for f in facts if f.detailed and f.salaries]
    if profiled:
        given = "; ".join(f"the {f.title}: " + ", ".join(f"{r.region} {r.display(with_qualifier=True)}"
                                                          for r in f.salaries) + f" {src.cite(f, SALARY)}"
                          for f in profiled)
        text = f"The guide gives no salary figures for {place}. The nearest it gives are for {given}."
    else:
        regions = sorted({r.region for f in roles.values() for r in f.salaries if r.region_key},
                         key=lambda label: REGION_ORDER.index(r) if (r := _key(label)) in REGION_ORDER else 9)
        text = (f"The guide gives no salary figures for {place}. Its salary ranges are for "
                f"{', '.join(regions)}; ask about a role to see them.")
    return Computed(text, src.items, declined=True, reason="not_in_guide")


def _gap_answer(reading: Reading, facts: list[RoleFacts]) -> Computed:
    src = Sources()
    who = " or the ".join(f.title for f in facts)
    subject = f"for the {who}" if facts else "for any role"
    text = f"The guide does not say anything about {reading.gap} {subject}."
    profiled = [f for f in facts if f.detailed]
    if profiled and reading.gap in lexicon.PAY_GAPS and profiled[0].salaries:
        f = profiled[0]
        ranges = ", ".join(f"{r.region} {r.display(with_qualifier=True)}" for r in f.salaries)
        text += f" What it gives are its 2026 estimates for the {f.title}: {ranges} {src.cite(f, SALARY)}."
    elif profiled and reading.gap == lexicon.FORECASTS and profiled[0].sections.get(reading.topic or ""):
        f = profiled[0]
        text += f" What it says now: {_first_line(f.sections[reading.topic or ''])} {src.cite(f, reading.topic or '')}"
    elif profiled and reading.gap == "how long it takes" and profiled[0].sections.get("How to break in"):
        f = profiled[0]
        text += f" What it says about getting in: {_first_line(f.sections['How to break in'])} " \
                f"{src.cite(f, 'How to break in')}"
    elif profiled and reading.gap not in lexicon.GAP_TOPICS and profiled[0].skills:  # a requirement it never mentions
        f = profiled[0]
        text += f" The skills it lists for the {f.title} are: {'; '.join(f.skills)} {src.cite(f, SKILLS)}."
    elif profiled:
        text += (f" For the {profiled[0].title} it covers the day-to-day tasks, skills, salary ranges, who it "
                 "suits and how to break in.")
    else:
        text += " It covers each role's tasks, skills, salary ranges by region, who it suits and how to break in."
    return Computed(text, src.items, declined=True, reason="not_in_guide")


def _rank_without_seniority(reading: Reading, roles: Mapping[str, RoleFacts]) -> Computed:
    """ "Which role has the lowest starting pay?": the guide has one range per role and region,
    not pay by seniority, so the nearest it gives is the roles ranked by their ranges."""
    ranked = rank_salaries(reading, roles)
    if ranked.declined:
        return ranked
    end = "lower" if ranked_end(reading) == "low" else "upper"
    note = (f"The guide does not break pay down by seniority; it gives one range per role and region. "
            f"The nearest it gives is the {end} end of each range.")
    return Computed(f"{note}\n\n{ranked.text}", ranked.sources)


def _first_line(text: str) -> str:
    return next((line.strip().lstrip("- ") for line in text.splitlines() if line.strip()), "")


def _key(label: str) -> str | None:
    from assistant.regions import normalize_region

    return normalize_region(label)


def _track(r: SalaryRange) -> str:
    return "" if r.region_key else f" ({r.region})"


def _mentions(text: str, term: str) -> bool:
    import re

    return bool(re.search(rf"(?<![\w]){re.escape(term)}", text.lower()))
