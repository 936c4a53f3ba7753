"""What the guide does not cover, as data: chores asked of the assistant, subjects outside AI
careers, products, employers and jobs outside the guide's tracks. Read by the question
understanding to scope a question by entity ("what does a dentist earn", "translate this")."""

from __future__ import annotations

import re

# Converting money between currencies ("convert €85k to pounds", "how much is $90,000 in sterling",
# "at the current rate"): exchange rates change daily; the guide gives each region in its own currency.
_CURRENCY = (r"(?:us\s+|american\s+|canadian\s+|aussie\s+)?"
             r"(?:dollars?|usd|pounds?|gbp|sterling|euros?|eur|rupees?|inr|yen)")
CONVERSION = re.compile(rf"\bconvert(?:ed|ing)?\b[^?.!]*?\b(?:to|into|in)\s+{_CURRENCY}\b"
                        rf"|\bhow much is\s+[£$€]?\s?\d[\d,.]*\s*k?\s+in\s+{_CURRENCY}\b"
                        rf"|\b(?:that|it|this|those|these)\s+in\s+{_CURRENCY}\b"  # "what's that in rupees?"
                        r"|\b(?:at|with)\s+(?:today'?s|the current|current)\s+rates?\b")
# When or where an event takes place ("where is the summit held next spring").
EVENT_WHEN = re.compile(r"\b(?:when|where)\s+(?:and\s+(?:when|where)\s+)?(?:is|are|will|does|do)\b"
                        r"[^?.!]{1,50}?"
                        r"\b(?:happening|held|taking place|hosted|this year|next year)\b")
# What a law or regulation says ("what does the ai act require of providers?"): legal text, not careers.
LAW_SAYS = re.compile(r"\b(?:act|law|laws|regulation|regulations|directive|gdpr|bill|statute)\s+"
                      r"(?:say|says|said|require|requires|state|states|mandate|mandates|ban|bans)\b")
# Off subjects told by their shape rather than a word: a name for each.
OFF_SUBJECT_PATTERNS: dict[str, re.Pattern[str]] = {
    "currency conversion": CONVERSION, "dates and venues of events": EVENT_WHEN, "what laws say": LAW_SAYS}

# Chores people ask of the assistant that a careers guide does not cover. Asked as a request
# ("translate ...", "can you write me ..."), whatever career words stand around them.
CHORES: tuple[str, ...] = (
    "translate", "translation", "how do i say", "how do you say", "how would i say", "write me", "write a",
    "write an", "write some", "write code", "python code",
    "python script", "a function that", "sql query for", "poem", "poetry", "haiku", "song", "lyrics", "story",
    "joke", "essay", "cover letter", "tutorial", "teach me", "debug", "fix my", "fix this",
    "fix it", "fix that", "how do i fix", "install",
    "installing", "book me", "book a", "book us", "reserve", "order me", "solve this", "balance this", "calculate", "summarize this", "summarise this",
    "in german", "in french", "in spanish", "into german", "into french", "into spanish",
    # playing a part for the asker
    "be my", "act as", "pretend to be", "pretend you", "roleplay", "role-play", "role play",
)
# Things someone may ask the assistant to produce ("give me a docker-compose file", "generate a
# kubernetes yaml"): making them is a chore whatever its subject.
ARTEFACTS: tuple[str, ...] = (
    "file", "files", "script", "scripts", "code", "snippet", "config", "configuration", "template", "yaml",
    "json", "dockerfile", "function", "class", "query", "program", "notebook", "kernel", "regex", "app",
    # writing of the asker's own, or someone else's, to write or work on
    "email", "letter", "cv", "resume", "essay", "report", "paper", "article", "abstract", "message", "post",
    "headline", "bio", "tagline", "caption", "tweet", "slogan", "speech", "slides",
)
# Subjects outside AI careers, however they are asked.
OFF_SUBJECTS: tuple[str, ...] = (
    "recipe", "cook",
    "bake", "weather", "raining", "rain", "sunny", "forecast", "football", "soccer", "world cup", "nba",
    "time difference", "time zone", "time zones", "timezone", "what time is it",
    "capital of", "population of", "stock price", "bitcoin", "crypto", "exchange rate", "exchange rates",
    "conversion rate", "currency converter", "movie", "film", "tv show",
    "restaurant", "hotel", "flight", "homework", "equation", "integral", "derivative", "diagnose", "symptoms",
    "medication", "medicine", "legal advice", "legally", "lawsuit", "non-compete", "noncompete", "divorce",
    "horoscope", "lottery", "girlfriend", "fun fact", "fun facts", "trivia",
    # what is happening now
    "news", "headlines", "this week",
    # facts about a company rather than the jobs in it
    "ceo of", "founder of", "founded", "headquarters", "headquartered", "valuation", "valued at",
    "going public", "ipo", "share price", "market cap",
    "boyfriend", "relationship advice", "tax", "taxes", "mortgage", "insurance", "invoice", "error", "errors",
    "bug", "permission denied", "stack trace", "mathematically", "empire", "history of", "times",
    # where to live
    "neighbourhood", "neighbourhoods", "neighborhood", "neighborhoods", "apartment", "apartments",
    "flat to rent", "rent a flat", "rent an apartment", "housing", "where to live", "place to live",
    "best area to live", "should i live", "should we live", "city to live",
    # someone else's accounts and devices
    "hack into", "hacking into", "password", "passwords", "instagram", "tiktok",
    "snapchat", "social media account",
)
# Employers people ask about; the guide names a few only in one range's qualifier.
EMPLOYERS: tuple[str, ...] = (
    "google", "alphabet", "meta", "facebook", "amazon", "microsoft", "apple", "netflix", "openai",
    "anthropic", "deepmind", "nvidia", "tesla", "ibm", "uber", "airbnb", "spotify", "salesforce", "oracle",
    "intel", "amd", "x.ai", "xai", "mistral", "cohere", "hugging face", "databricks", "snowflake", "palantir",
    "stripe", "shopify", "linkedin", "twitter", "bytedance", "tiktok", "samsung", "accenture", "deloitte",
    "mckinsey", "jp morgan", "goldman sachs", "faang",
)
# Products people ask about that a careers guide does not cover.
PRODUCTS: tuple[str, ...] = (
    "gpu", "gpus", "graphics card", "laptop", "laptops", "macbook", "computer to buy", "pc build", "iphone",
    "android", "phone", "keyboard", "nvidia", "rtx", "cpu", "ram", "chatgpt plus", "subscription",
    "car", "cars", "tesla",
)
# Jobs outside the guide's ten tracks (matched as whole words, singular or plural).
OTHER_JOBS: tuple[str, ...] = (
    "dentist", "doctor", "physician", "surgeon", "nurse", "pharmacist", "vet", "veterinarian", "therapist",
    "psychologist", "lawyer", "attorney", "solicitor", "barrister", "paralegal", "judge", "accountant",
    "auditor", "actuary", "banker", "trader", "broker", "teacher", "professor", "lecturer", "tutor",
    "plumber", "electrician", "carpenter", "mechanic", "builder", "welder", "chef", "cook", "baker", "waiter",
    "barista", "pilot", "driver", "truck driver", "firefighter", "police officer", "soldier", "farmer",
    "architect", "civil engineer", "mechanical engineer", "electrical engineer", "chemical engineer",
    "structural engineer", "aerospace engineer", "software engineer", "software developer", "web developer",
    "frontend developer", "backend developer", "full stack developer", "game developer", "devops engineer",
    "site reliability engineer", "sre", "qa engineer", "tester", "sysadmin", "network engineer",
    "security analyst", "penetration tester", "cybersecurity analyst", "data analyst", "business analyst",
    "financial analyst", "ux designer", "ui designer", "graphic designer", "designer", "product designer",
    "project manager", "program manager", "product manager", "scrum master", "marketing manager",
    "sales manager", "salesperson", "recruiter", "hr manager", "consultant", "journalist", "writer",
    "copywriter", "editor", "photographer", "artist", "musician", "actor", "influencer", "youtuber",
    "streamer", "athlete", "footballer", "cashier", "receptionist", "secretary", "librarian", "astronaut",
    "economist", "statistician", "mathematician", "physicist", "chemist", "biologist", "quant",
    "blockchain developer", "robotics engineer", "hardware engineer", "embedded engineer", "cloud architect",
    "solutions architect", "database administrator", "dba", "it support", "technician",
)

# The AI field named beside a job: "should I become a nurse or move into AI?" still asks for a path.
_THE_FIELD = re.compile(r"\b(?:ai|a\.i\.|ml|machine learning|artificial intelligence|data)\b")


def becoming_another_job(asked: str, jobs: tuple[str, ...]) -> bool:
    """Does the asked part weigh becoming one of `jobs` (outside the guide's tracks) with no word
    of the AI field ("i'm a nurse, should i become a doctor?")? A careers-in-AI guide recommends
    no such path."""
    if _THE_FIELD.search(asked):
        return False
    return any(re.search(rf"\b(?:become|becoming|be|being|train as|retrain as|switch to|work as)\s+"
                         rf"(?:an?\s+)?{re.escape(job)}(?:s|es)?\b", asked) for job in jobs)
