"""Word lists the question reader needs beyond the guide's own catalogue (data, in one place).

The guide supplies the role titles, aliases, regions and sections; these lists cover what a
guide cannot tell about itself: how people name its regions, which words ask for which kind
of answer, and the jobs, products and chores it does not cover.
"""

from __future__ import annotations

import re

# How people name the guide's three regions (keys are the guide's region keys).
REGION_WORDS: dict[str, str] = {
    "uk": "uk", "u.k.": "uk", "gb": "uk", "britain": "uk", "great britain": "uk", "united kingdom": "uk",
    "england": "uk", "scotland": "uk", "wales": "uk", "northern ireland": "uk", "british": "uk",
    "london": "uk", "manchester": "uk", "edinburgh": "uk", "blighty": "uk",
    "us": "us", "usa": "us", "u.s.": "us", "u.s": "us", "u.s.a.": "us", "united states": "us",
    "america": "us", "american": "us", "the states": "us", "stateside": "us", "silicon valley": "us",
    "bay area": "us", "new york": "us", "san francisco": "us", "seattle": "us",
    "global": "global", "global tech hubs": "global", "eu": "global", "europe": "global", "tech hubs": "global", "tech hub": "global",
    "berlin": "global", "toronto": "global", "singapore": "global",
}
# The region words that name a city or an area in one: a question about the place itself ("which part
# of edinburgh is nicest?") is no question about its pay.
REGION_CITIES = ("london", "manchester", "edinburgh", "silicon valley", "bay area", "new york",
                 "san francisco", "seattle", "berlin", "toronto", "singapore")
# Words before a place that say the asker is there now ("I'm in London"): a place named
# elsewhere in the question ("if I moved to the States") is where the question is about.
HERE_NOW = ("i'm in", "im in", "i am in", "i live in", "living in", "based in", "i'm from", "im from",
            "i am from", "currently in", "here in", "i work in", "working in", "i'm based in", "im based in",
            "from")  # "moving from germany to the uk": where the asker comes from is not asked about
# The other side of the Atlantic from where the asker is ("across the pond").
ACROSS_THE_POND = ("across the pond", "over the pond", "other side of the pond", "other side of the atlantic",
                   "across the atlantic")
POND_SIDES = {"uk": "us", "us": "uk"}
# Countries whose places count as one of the guide's regions (ISO codes, for the gazetteer).
COUNTRY_REGION = {"US": "us", "GB": "uk"}
CONTINENTS = ("Africa", "Asia", "South America", "Latin America", "Oceania", "Middle East",
              "Scandinavia", "Eastern Europe", "Southeast Asia")
REGION_LABEL = {"uk": "the UK", "us": "the US", "global": "global tech hubs"}
# A salary range's currency tells its region when the guide labels it by track instead.
CURRENCY_REGION = {"GBP": "uk", "USD": "us", "EUR": "global"}

# The names of the guide's currencies, as people write them ("the higher ceiling in dollars"): naming one asks the pay.
CURRENCY_NAMES = ("dollars", "dollar", "usd", "pounds", "pound", "quid", "sterling", "gbp", "euros", "euro", "eur")

# Short forms people type, spelled out before the guide's role names are matched.
ABBREVIATIONS: dict[str, str] = {
    "k8s": "kubernetes", "eng": "engineer", "engs": "engineers", "engr": "engineer", "sci": "scientist", "mgr": "manager",
    "yr": "year", "yrs": "years", "ppl": "people", "ur": "your", "plz": "please", "pls": "please",
    "ds": "data scientist", "mle": "machine learning engineer", "mles": "machine learning engineers",
    "cert": "certificate", "certs": "certificates", "stats": "statistics", "abt": "about", "bc": "because",
}

# What a question asks about, by the words people use (a guide section each).
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "salary": ("salary", "salaries", "pay", "pays", "paid", "paying", "payout", "well-paid", "highest-paying", "payed", "earn", "earns", "earning", "earnings",
               "how much do", "how much does", "how much can", "how much would", "compensation", "comp", "money", "income", "wage", "wages",
               "lucrative", "tc", "package", "starts higher", "start higher", "starting salary", "starting pay",
               "starts on", "start on", "remuneration", "rich", "cash", "bucks", "salary range", "pay range",
               "bottom of the range", "top of the range", *CURRENCY_NAMES),
    "skills": ("skill", "skills", "skillset", "learn", "learning", "know", "tools", "toolkit", "requirements",
               "require", "required", "requires", "need", "needs", "needed", "qualification", "qualifications",
               "stack", "technologies", "tech", "languages", "study", "prerequisites", "phd", "degree",
               "masters", "msc"),
    "tasks": ("day-to-day", "day to day", "daily", "tasks", "responsibilities", "duties", "involve", "involves", "job like",
              "do all day", "spend", "typical day", "work on", "day in the life", "actually do",
              "do they do"),
    "suits": ("suit", "suits", "suited", "fit", "fits", "right for", "good for", "personality", "kind of person", "sort of person", "makes a good", "make a good", "meant for", "ideal for", "cut out for", "fit for",
              "type of person", "who should", "who is it for", "who's it for", "who is this for", "who's this for",
              "who is that for", "who's that for", "aimed at"),
    "break_in": ("break in", "break into", "breaking into", "get started", "get into", "getting into", "start",
                 "starting", "become", "becoming", "entry", "land", "transition", "switch", "pivot", "hired",
                 "path to", "route to", "route into", "way into", "way in"),
    "summary": ("what is", "what's", "whats", "explain", "describe", "overview"),
    # The guide's "How to choose your path" quiz itself (not a request to take it).
    "quiz": ("quiz", "quizzes", "choose your path", "choosing your path", "choose a path", "choosing a path",
             "pick a path", "picking a path", "pick your path"),
}
TOPIC_SECTION = {"salary": "Salary range", "skills": "Skills", "tasks": "Day-to-day tasks",
                 "suits": "Who it suits", "break_in": "How to break in", "summary": "Summary"}
TOPIC_LABEL = {"salary": "salary range", "skills": "skills", "tasks": "day-to-day tasks",
               "suits": "who it suits", "break_in": "how to break in", "summary": "what the role is"}
# Ways of asking for each topic, for matching a paraphrase by meaning when no topic word is
# present (the role's name is taken out of the question first).
TOPIC_MEANING: dict[str, tuple[str, ...]] = {
    "salary": ("how much money does it pay", "what is the pay", "how much do they earn a year",
               "what is the take-home pay"),
    "skills": ("what skills do I need", "what should I be good at", "what tools and languages to learn",
               "what background knowledge is required"),
    "tasks": ("what do they do every day", "what does a typical week look like", "what is the work like",
              "what are their daily responsibilities"),
    "suits": ("who is this job right for", "what kind of person thrives in it", "would it fit my personality",
              "who would enjoy it", "who is this path for"),
    "break_in": ("how do I get hired", "how to land the first job", "how to get started in it",
                 "how do I switch into it", "what is the usual route in", "which jobs do people move in from"),
    "summary": ("what is this job, in one sentence", "explain what the role is", "what is the point of the role"),
}

# A gap that a role's own section covers where the role has it: "is the MLOps job market
# saturated?" is answered by the MLOps profile's growth outlook, "is prompt engineering here to
# stay?" by the Prompt Engineer profile's note on how the role is evolving.
GAP_COVERED_BY: dict[str, tuple[str, ...]] = {"hiring demand": ("Growth outlook", "Note")}

# The year of the guide's salary estimates: a later year asked about is a future the guide does not give.
GUIDE_YEAR = 2026
# What an outlook asked for a later year is: the guide's outlook is for now.
FORECASTS = "forecasts for later years"
# What a difference in pay between two cities of one region is: the guide has one range per region.
CITY_PAY = "pay differences between cities"
# Gaps in pay the guide answers with the ranges it has (its 2026 estimates for each region).
PAY_GAPS = frozenset({"future salaries", "past salaries", "pay by seniority", CITY_PAY})
# Conditions stated inside a question ("...without a cs degree?", "if i don't have a phd"): they
# qualify what is asked and do not set its topic.
CONDITION = re.compile(r"\b(?:without|with no|if i (?:do not|don'?t|dont) have|if i have no|even though i have no)"
                       r"\s+(?:\S+\s+){0,3}?\S+?(?=[?.!,;]|$)")

# Words that make a question compare or rank (direction: "high" or "low").
HIGHER = ("more", "higher", "better", "bigger", "greater", "larger", "most", "highest", "best", "top",
          "biggest", "max", "maximum", "richest", "best-paid", "best-paying", "better-paid", "highest-paying")
LOWER = ("less", "lower", "least", "lowest", "worst", "smaller", "smallest", "min", "minimum", "cheapest",
         "worst-paid", "lowest-paying", "poorest")
# The two ends of a salary range, as people name them ("the highest starting salary" ranks bottoms).
RANGE_ENDS: dict[str, tuple[str, ...]] = {
    "low": ("starting", "start", "starts", "minimum", "min", "bottom", "floor", "lower end", "low end", "entry",
            "entry-level", "lower bound", "at least"),
    "high": ("top end", "ceiling", "maximum", "max", "upper end", "high end", "upper bound", "peak", "top of"),
}
SUPERLATIVES = ("most", "highest", "best", "top", "biggest", "richest", "lowest", "least", "worst", "smallest",
                "poorest")
COMPARE = ("vs", "v", "versus", "compare", "compared", "comparison", "or", "than", "between", "difference",
           "differ", "differs", "different")
RANK_SUBJECT = ("role", "roles", "job", "jobs", "track", "tracks", "path", "paths", "career", "careers",
                "position", "positions", "one", "ones", "option", "options", "field")
NEED_WORDS = ("need", "needs", "require", "requires", "required", "use", "uses", "using", "involve",
              "involves", "ask for", "asks for", "want", "wants", "call for", "calls for")

# The guide's quiz questions (quiz.QUESTIONS keys) by the words people use for what each asks:
# "who codes more, an ML engineer or an AI PM?" compares two roles on the "code" question.
QUIZ_DIMENSION_WORDS: dict[str, tuple[str, ...]] = {
    "code": ("code", "codes", "coding", "coder", "coders", "program", "programs", "programming",
             "programmer", "programmers", "hands-on", "technical", "python"),
    "research": ("research", "researchy", "open-ended", "theory", "theoretical", "academic", "papers"),
    "stakeholders": ("stakeholder", "stakeholders", "business", "client", "clients", "customer", "customers",
                     "people-facing", "meetings", "people person"),
}

# Questions about an attribute the guide never gives for any role (answered: the guide is silent).
GAP_TOPICS: dict[str, tuple[str, ...]] = {
    "working hours": ("hours", "overtime", "weekends", "work-life", "work life", "9 to 5", "9-5", "shifts",
                      "on-call", "on call"),
    "remote work": ("remote", "work from home", "wfh", "hybrid", "office"),
    "how long it takes": ("how long", "how many years", "how many months", "years does it take",
                          "time does it take", "how quickly", "how fast"),
    "future salaries": ("in 2030", "in 2028", "in 2029", "in 2027", "next year", "in the future",
                        "future", "by 2030"),  # and FUTURE_SPAN
    "shares and statistics": ("percentage", "percent", "proportion", "what share", "what fraction", "statistics",
                              "stats", "how common is it"),
    "job numbers": ("how many jobs", "job openings", "number of jobs", "unemployment", "how many people",
                    "layoffs", "openings", "vacancies", "open positions", "open roles", "how many positions",
                    "job postings", "job listings"),
    "hiring demand": ("job market", "job security", "saturated", "oversaturated", "is there demand", "much demand",
                      "is demand for", "the demand for", "demand growing", "shrinking", "declining", "dying",
                      "dead end", "future-proof", "future proof",
                      "how in demand", "high demand", "still in demand", "most in demand", "more in demand", "job prospects", "prospects", "outlook"),
    # Pay by seniority: the guide gives one range per role and region (checked for pay questions only).
    "pay by seniority": ("junior", "senior", "entry-level", "entry level", "starting salary", "starting pay",
                         "graduate salary", "new grad", "fresh grad", "mid-level", "mid level", "lead level",
                         "intern", "interns", "internship", "internships", "apprentice", "apprenticeship",
                         "graduate", "graduates", "grad", "grads", "first job", "first-job", "out of uni",
                         "out of university", "out of college"),
    "employer names": ("which companies", "what companies", "which company", "best company",
                       "best companies", "who is hiring", "top employers"),
    "benefits and perks": ("benefits", "perks", "bonus", "bonuses", "equity", "stock options",
                           "pension", "vacation", "holidays", "visa", "sponsorship", "401k", "401(k)",
                           "retirement",
                           "health insurance", "parental leave", "rsu", "rsus", "signing bonus", "sign-on",
                           "days off", "time off", "annual leave", "sick leave", "pto", "sabbatical",
                           "sabbaticals"),
    # The guide profiles each role as one level: no ladder above it.
    "career progression": ("progression", "career ladder", "promotion", "promotions", "promoted",
                           "get promoted", "staff engineer", "principal engineer", "staff level",
                           "principal level", "after senior", "move up", "moving up", "climb the ladder"),
    "salary negotiation": ("negotiate", "negotiating", "negotiation", "counteroffer", "counter-offer",
                           "counter offer"),
    "workplace culture": ("dress code", "office culture", "company culture", "team culture", "what to wear"),
    "certifications": ("certification", "certifications", "certificate", "certificates", "certified"),
    # The guide's figures are yearly salaries of employees.
    "hourly, day and freelance rates": ("hourly", "per hour", "an hour", "day rate", "daily rate", "freelance",
                                        "freelancer", "freelancers", "freelancing", "contractor", "contractors",
                                        "contracting", "contract rate"),
    # Not "pay gap" alone: between two roles or tracks it is their ranges compared.
    "pay gaps and diversity": ("gender", "diversity", "discrimination", "women in",
                               "men and women"),
    "age limits": ("too old", "age limit", "my age", "average age", "how old"),
    "job satisfaction": ("happier", "happiest", "job satisfaction", "satisfied", "stressful", "burnout",
                         "imposter syndrome", "impostor syndrome", "mental health",
                         "burn out", "more fulfilling", "most fulfilling"),
    "universities, bootcamps and courses": ("which university", "which universities", "best university",
                                            "best universities", "bootcamp", "bootcamps", "which course",
                                            "best course", "best courses", "online course", "online courses",
                                            "which school", "best school",
                                            # the course platforms, none of which the guide names
                                            "coursera", "udemy", "edx", "datacamp", "udacity", "mooc", "moocs"),
    "books and other learning resources": ("books", "a book", "textbook", "textbooks", "youtube", "podcast",
                                           "podcasts", "newsletter", "newsletters", "blogs", "reading list",
                                           "book about", "book on", "good book", "best book", "novel", "novels"),
    "grades": ("gpa", "grades", "grade point", "first-class degree", "2:1"),
    # The guide has no calendar: no conference dates, application deadlines or tickets.
    "job interviews": ("interview", "interviews", "interviewing", "interviewer", "interviewers"),
    "dates and deadlines": ("when is", "when are", "what date", "which date", "what dates", "deadline",
                            "deadlines", "tickets"),
    "whether AI will replace jobs": ("take my job", "take our jobs", "take jobs", "replace my job", "replace me",
                                     "replaced by ai", "automate my job", "automated away", "steal my job", "get automated",
                                     "be automated", "automated by ai", "automate ai jobs"),
    "course or certificate prices": ("cost", "costs", "price", "tuition", "fee", "fees"),
}
# An age in years ("can I become an ML engineer at 45?", "I'm 52 years old"): the guide names none.
AGE = re.compile(r"\b(?:at|aged?)\s+[1-9]\d(?![\d,.%]|\s*k\b|k)|\b[1-9]\d\s*(?:years? old|yo)\b")
# Hiring, said of an employer ("does Google hire prompt engineers?"): the guide names no employer's hiring.
HIRING = ("hire", "hires", "hiring", "recruit", "recruits", "recruiting", "acceptance rate", "accept", "accepts", "accepted",
          "applicants", "interview", "interviews", "interviewing")
# A span of time from now ("in like 5 years", "within the next decade"): pay then is not the guide's.
_SPAN = r"(?:\d+|a few|few|a couple of|two|three|four|five|ten|twenty)\s+(?:years?|yrs?|decades?)\b"
FUTURE_SPAN = re.compile(r"\b(?:in|within|after|over|during)\s+"
                         r"(?:(?:like|about|around|roughly|maybe|another|the next|the coming)\s+){0,2}"
                         rf"{_SPAN}"
                         r"|\b(?:in|within|over|during)\s+the\s+(?:next|coming)\s+(?:decade|few years)\b"
                         # "is pay going to rise", "will it drop"
                         r"|\b(?:will|going to|gonna)\b(?:\s+[\w']+){0,3}?\s+"
                         r"(?:go up|go down|rise|fall|drop|grow|increase|decrease|change|shrink)\b")
# A time before the guide's estimates ("since 2019", "over the past decade", "has it risen").
PAST_SPAN = re.compile(rf"\bsince\s+(?:19|20)\d\d\b|\b{_SPAN}\s+ago\b"
                       r"|\b(?:in|over|during)\s+the\s+(?:last|past)\s+"
                       rf"(?:(?:few|couple of)\s+years|decade|{_SPAN})"
                       r"|\b(?:have|has)\b(?:\s+[\w']+){0,3}?\s+"
                       r"(?:gone up|gone down|risen|fallen|dropped|grown|increased|decreased|changed|shrunk)"
                       r"\b")
# How many jobs or positions are open, however the job is named in between
# ("how many data scientist jobs are open", "are there many mle positions available").
VACANCY_COUNT = re.compile(r"\bhow many\b(?:\s+[\w-]+){0,4}?\s+(?:jobs|positions|vacancies|openings)\b"
                           # "how many ai pms are there in the uk" (not "how many skills are there")
                           r"|\bhow many\b(?!\s+(?:skills|tasks|steps|questions|roles|tracks|paths|careers|regions|"
                           r"sections|types|kinds|years|months|weeks|hours)\b)(?:\s+[\w/-]+){1,4}?\s+"
                           r"(?:are there|are employed|work in|work at|work as)\b"
                           # "which city has the most ai jobs"
                           # ("do most ml jobs need a phd" asks of the jobs, not their number)
                           r"|\b(?:the most|the fewest|more|fewer)\s+(?:[\w-]+\s+){0,2}?"
                           r"(?:jobs|openings|vacancies)\b")
# Jobs said to be open ("are there mle positions still open"): their number, unless which jobs
# there are is asked ("which sorts of ml jobs exist", JOB_KINDS).
JOBS_OPEN = re.compile(r"\b(?:jobs|positions)\s+(?:are\s+|still\s+)?(?:open|available|out there)\b")
JOB_KINDS = re.compile(r"\b(?:what|which)\s+(?:(?:are|is|r)\s+)?(?:the\s+)?"
                       r"(?:(?:main|different|other|kinds?|types?|sorts?)\s+(?:of\s+)?)*"
                       r"(?:[\w-]+\s+){0,2}?(?:jobs|positions|roles)\b")
# "is it for people chasing money?", "is data science for introverts?": who a role suits, whatever
# the people are said to want.
SUITS_FRAME = re.compile(r"\b(?:is|are)\s+(?:(?:it|this|that|they|the|a)\s+)?"
                         r"(?:(?:role|track|path|career|field)\s+)?"
                         r"(?:only\s+|really\s+|just\s+|mainly\s+|mostly\s+)?(?:for|meant for|aimed at)\s+"
                         r"(?:people|someone|somebody|anyone|those|folks|persons?|types?|introverts|"
                         r"extroverts|extraverts|nerds|geeks|creatives|techies)\b(?!\s+(?:with|without)\b)")
# Which organisations are asked for ("which ai company should i join?", "what big tech firms pay best?");
# not labs, which the guide's research range names ("at OpenAI, DeepMind...").
EMPLOYERS_ASKED = re.compile(r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?:company|companies|employers?|firms?|"
                             r"startups?|organi[sz]ations?|corporations?)\b")
# Which organisations are hiring ("which firms near me are hiring", "what startups are recruiting"):
# their names, not which roles are in demand ("which roles are hiring").
WHO_HIRES = re.compile(r"(?:\bwho|\b(?:which|what)\b"
                       r"(?!\s+(?:[\w-]+\s+){0,2}?"
                       r"(?:roles?|jobs?|tracks?|paths?|careers?|positions?|fields?|areas?|skills?)\b)"
                       r"(?:\s+[\w-]+){1,4}?)(?:\s+(?:is|are|r)|'s)\s+"
                       r"(?:\w+\s+)?(?:hiring|recruiting)\b")

# Asking about the guide itself (who wrote it, where its information comes from, how current
# it is), answered from the corpus's "About this guide" section, or about what the assistant can
# do: example askings matched by meaning (assistant/meaning.py), only when no role, job or topic
# of the guide is read.
GUIDE_MEANING: dict[str, tuple[str, ...]] = {
    "about": ("who wrote this guide", "where does your information come from", "how up to date is your information",
              "what sources are your answers based on", "when was the guide published"),
    "help": ("what can you help me with", "what kinds of questions can I ask you", "what do you know about",
             "what are you able to do", "who are you", "what are you", "introduce yourself",
             "am I talking to a real person or a bot"),
    # what the guide says: a question for the guide's passages, neither of the above
    "contents": ("what career tracks does the guide cover", "what does the guide say about choosing a path",
                 "which roles are described in the guide", "what skills does the guide recommend"),
}
# Asking for the whole guide in short ("tl;dr of the guide?"), told from asking what it contains; read only
# when the askings above leave a question open (it shares their words: "who wrote the guide").
GUIDE_OVERVIEW: tuple[str, ...] = ("give me a summary of the whole guide", "sum up the guide for me",
                                   "what is the guide about overall", "the short version of the guide")
# A request for a path of one's own, told from a question about how the guide sees choosing
# or starting one ("does it matter which path I pick?", "how does every AI career start?"),
# which share its words: the path-request patterns stand unless "guide" is clearly nearer.
PATH_MEANING: dict[str, tuple[str, ...]] = {
    "path": ("which ai career path suits me", "what role would fit someone with my background",
             "is there an ai job for someone like me", "where should i go next in ai", "recommend a path for me"),
    "guide": ("does it matter which path I choose", "how do ai careers start",
              "what does the guide advise about choosing a path", "what questions does the quiz ask"),
}
# A message made only of these (a greeting, thanks) gets what the assistant covers.
SMALL_TALK = frozenset({"hi", "hello", "hey", "hiya", "yo", "thanks", "thank", "you", "thx", "ty", "cheers", "good",
                        "morning", "afternoon", "evening", "there", "ok", "okay", "cool", "great", "nice", "help"})
# Words that only ask to go on with the last answer ("tell me more", "elaborate please"): no subject of their own.
# Words that open a turn without changing what it asks ("anyway, what...", "hmm and what about...").
LEAD_IN_WORDS = ("and", "so", "also", "anyway", "anyways", "but", "ok", "okay", "well", "right", "alright",
                 "btw", "honestly", "actually", "lol", "haha", "hmm", "hm", "hmmm", "um", "umm")
# Verbs that ask the assistant to do something ("can you list...", "please check this script").
REQUEST_VERBS = ("help", "fix", "write", "check", "explain", "tell", "give", "show", "make", "solve", "calculate",
                 "translate", "proofread", "find", "book", "list", "compare", "recommend", "suggest", "draft",
                 "rewrite", "review", "describe", "summarise", "summarize", "walk", "outline", "share", "break",
                 "point", "name")
GO_ON = frozenset({"tell", "more", "elaborate", "expand", "continue", "details", "detail", "please", "pls", "plz",
                   "explain", "further", "again"})
# Words that point back to what was just said ("the same for germany?", "is it similar over in canada?").
POINTS_BACK = frozenset("""equivalent same similar likewise counterpart version too instead either though over
    there then figure figures number numbers compare comparison different difference about""".split())
# Words that mark a question about the assistant itself rather than the guide.
META_WORDS: tuple[str, ...] = (
    "system prompt", "system message", "your instructions", "your rules", "your prompt", "your guidelines",
    "initial prompt", "hidden prompt", "who made you", "who built you", "who created you", "what model are you",
    "which model are you", "are you chatgpt", "are you human", "are you a bot", "your training data", "jailbreak", "developer mode", "dan mode", "pretend you",
    "you are now", "you're now", "no rules", "unrestricted", "ignore all", "ignore previous", "ignore your",
    "everything above", "word for word", "above this message", "act as",
)
# Head nouns of job titles: "<something> specialist" names a job, in the guide or not.
JOB_HEADS = ("engineer", "scientist", "manager", "researcher", "specialist", "analyst", "developer", "designer",
             "architect", "consultant", "officer", "director", "lead", "ethicist", "technician", "administrator",
             "strategist", "evangelist", "advocate", "trainer", "labeler", "annotator", "clerk", "worker",
             "operator", "receptionist", "cashier", "secretary")
# Words that may stand before a job head without making it another job ("a senior ML engineer").
JOB_MODIFIERS_IGNORED = ("a", "an", "the", "ai", "ml", "senior", "junior", "lead", "entry", "level", "entry-level",
                         "good", "great", "successful", "new", "mid", "staff", "principal", "head", "chief",
                         "as", "be", "become", "being", "becoming", "to", "for", "of", "and", "or", "vs", "than",
                         "my", "your", "their", "our", "his", "her", "which", "what", "who", "any", "other",
                         "typical", "average", "regular", "remote", "freelance", "tech", "technical", "non-technical")
# Those of them that only link words, so cannot end a job's own name ("scientist or engineer"),
# where a modifier can ("data entry clerk").
JOB_LINK_WORDS = frozenset({"a", "an", "the", "as", "be", "become", "being", "becoming", "to", "for", "of", "and",
                            "or", "vs", "than", "my", "your", "their", "our", "his", "her", "which", "what", "who",
                            "any", "other"})

# Words before a role's name that set it aside rather than ask about it ("I'm not a ...",
# "any role other than ...").
SET_ASIDE = ("not a", "not an", "n't a", "n't an", "other than", "besides", "except", "apart from", "aside from",
             "rather than being a", "no longer a", "leaving out", "leave out", "excluding", "exclude", "not counting",
             "not including", "ignore", "ignoring", "disregard", "disregarding", "minus")
# Words that dismiss a topic for now ("forget money for a sec", "never mind the pay").
DISMISS = ("forget", "forget about", "never mind", "nevermind", "enough about", "enough of", "putting aside",
           "leaving aside", "setting aside", "skip")
# What may stand between such a word and the roles it sets aside, in a list ("except DS, MLE and PM").
LIST_GLUE = frozenset({"and", "or", "plus", "&", "+", "/", "the", "a", "an", "for", "both", "also"})
