"""The web app (Gradio wiring only): `python ui.py` or `career-assistant serve`.

Every value shown is built by `assistant.webapp`; `CareerUI` lays out one tab per method
and connects events to it.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
import threading
from functools import partial
from typing import Any

import gradio as gr

from assistant.webapp.charts import CHART_REGIONS, salary_chart
from assistant.webapp.chat import ChatTurn, comment_on_answer, rate_answer, stream_chat
from assistant.webapp.page import (
    ANY_REGION,
    ASK_ABOUT_ROLE,
    EXAMPLE_QUESTIONS,
    FOLLOW_UP_HINT,
    INTRO,
    NO,
    REGION_CHOICES,
    TITLE,
    YES,
    page_css,
    page_head,
)
from assistant.webapp.quiz import quiz_library, quiz_view
from assistant.webapp.render import comparison_html, error_html, profiled_roles, sources_panel_html
from assistant.webapp.startup import LazyAssistant
from core.errors import CareerAssistantError, ConfigError
from core.settings import Settings, apply_offline_env, load_settings, quiet_url_loggers

logger = logging.getLogger(__name__)

CARD_SLOTS = 3
PRIVATE: dict[str, Any] = {"api_visibility": "private"}
UNLIMITED: dict[str, Any] = {"concurrency_limit": None}
CHART_EVENT: dict[str, Any] = {"concurrency_id": "chart", "concurrency_limit": 1}


def build_ui(settings: Settings, assistant: LazyAssistant | None = None) -> gr.Blocks:
    """The app's Blocks, with its queue set to `settings.concurrency` answers at a time."""
    return CareerUI(settings, assistant).build()


class CareerUI:
    """The web app: one method lays out each tab, the handlers call `assistant.webapp`.

    `build()` assembles the Blocks; `launch()` serves them (see `serve` for the start-up
    with a background warm-up).
    """

    def __init__(self, settings: Settings, assistant: LazyAssistant | None = None) -> None:
        apply_offline_env()
        from assistant.feedback import FeedbackStore
        from assistant.roles import load_roles

        self.settings = settings
        self.source = assistant or LazyAssistant(settings)
        self.store = FeedbackStore(settings.feedback_db)
        try:
            roles_at_start = load_roles(settings.corpus_dir)
        except CareerAssistantError as exc:
            logger.warning("the quiz and the comparison need the guide: %s", exc)
            roles_at_start = {}
        self.profiled = profiled_roles(roles_at_start)

    def build(self) -> gr.Blocks:
        with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
            self.turns = gr.State([])
            self.rated = gr.State(None)
            self.card_titles = gr.State([])
            self.about_and_status()
            with gr.Tabs(elem_id="main-tabs") as self.tabs:
                self.chat_tab()
                self.path_tab()
                self.compare_tab()
            self._wire_public(demo)
            self._wire_private()
        demo.queue(default_concurrency_limit=self.settings.concurrency)
        return demo

    def launch(self, **kwargs: Any) -> gr.Blocks:
        """Build and serve the app with `launch_options` (overridden by `kwargs`)."""
        demo = self.build()
        demo.launch(**{**launch_options(self.settings), **kwargs})
        return demo

    # ------------------------------------------------------------------ layout, one method per tab

    def about_and_status(self) -> None:
        """Above the tabs: what the app is, and the status line (what is in use, or what is
        missing), kept fresh by a timer."""
        with gr.Column(elem_classes="app-header"):
            gr.Markdown(f"# {TITLE}\n{INTRO}")
        self.status = gr.Markdown(self.source.status_line(), elem_classes="status-line",
                                  elem_id="status-line")
        self.timer = gr.Timer(2.0, active=True)

    def chat_tab(self) -> None:
        with gr.Tab("Chat", id="chat", elem_id="tab-chat"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=340):
                    self.chatbot = gr.Chatbot(
                        label="Conversation", elem_id="chatbot", height=520,
                        examples=[{"text": q} for q in EXAMPLE_QUESTIONS],
                        placeholder="**Ask anything about AI careers.** Try one of these:",
                        feedback_options=("Like", "Dislike"), buttons=["copy"], layout="bubble",
                    )
                    with gr.Row(equal_height=True):
                        self.msg = gr.Textbox(
                            show_label=False, scale=5,
                            placeholder="Ask about a role, skills, salaries, breaking in…",
                            elem_id="question", max_lines=4, submit_btn=False,
                        )
                        self.send = gr.Button("Send", variant="primary", scale=1, min_width=80,
                                              elem_id="send")
                    with gr.Row():
                        self.clear = gr.Button("Clear conversation", size="sm", elem_id="clear", scale=0,
                                               min_width=160)
                        gr.Markdown(FOLLOW_UP_HINT, elem_classes="follow-hint")
                    self._feedback_box()
                with gr.Column(scale=2, min_width=300):
                    gr.Markdown("### Sources from the guide")
                    self.sources = gr.HTML(sources_panel_html([]), elem_id="sources")
            self.result = gr.JSON(visible=False, label="Last answer")

    def path_tab(self) -> None:
        from assistant.quiz import BACKGROUNDS, QUESTIONS

        with gr.Tab("Find your path", id="path", elem_id="tab-path"):
            gr.Markdown("The guide's quiz: answer honestly; leave a question blank if you are unsure.")
            with gr.Row(equal_height=False):
                with gr.Column(scale=2, min_width=300):
                    self.answers = [gr.Radio([YES, NO], label=q.text, elem_id=f"quiz-{q.key}")
                                    for q in QUESTIONS]
                    self.background = gr.Dropdown([b.label for b in BACKGROUNDS], value=BACKGROUNDS[-1].label,
                                                  label="What's your current background?",
                                                  elem_id="quiz-background")
                    self.skills = gr.Textbox(label="Skills you already have (optional)",
                                             placeholder="e.g. Python, SQL, Docker", elem_id="quiz-skills")
                    self.region = gr.Radio(list(REGION_CHOICES), value=ANY_REGION,
                                           label="Where do you want to work? (for salaries)",
                                           elem_id="quiz-region")
                    self.go = gr.Button("Show my paths", variant="primary", elem_id="quiz-go")
                with gr.Column(scale=3, min_width=320):
                    self.intro = gr.HTML('<p class="quiz-intro">Your ranked roles appear here.</p>')
                    self.slots, self.cards, self.ask_buttons = [], [], []
                    for i in range(CARD_SLOTS):
                        with gr.Column(visible=False, elem_classes="card-slot") as slot:
                            self.cards.append(gr.HTML(elem_id=f"card-{i}"))
                            self.ask_buttons.append(gr.Button(size="sm", elem_id=f"ask-role-{i}"))
                        self.slots.append(slot)
                    self.card_sources = gr.HTML()
                    self.quiz_data = gr.JSON(visible=False, label="Recommendation")

    def compare_tab(self) -> None:
        profiled = self.profiled
        with gr.Tab("Compare roles", id="compare", elem_id="tab-compare"):
            with gr.Row():
                self.chart_regions = gr.CheckboxGroup(list(CHART_REGIONS.values()),
                                                      value=list(CHART_REGIONS.values()),
                                                      label="Regions", scale=2, min_width=300)
                self.chart_roles = gr.Dropdown(profiled, value=profiled, multiselect=True, label="Roles",
                                               scale=3, min_width=300)
            self.plot = gr.Plot(label="Salary ranges by role and region", show_label=False, format="png",
                                elem_id="salary-chart")
            gr.Markdown("### Side by side")
            with gr.Row():
                self.role_a = gr.Dropdown(profiled, value=(profiled or [None])[0], label="Role A",
                                          min_width=240)
                self.role_b = gr.Dropdown(profiled, value=(profiled[1:] or [None])[0], label="Role B",
                                          min_width=240)
            self.side_by_side = gr.HTML(elem_id="compare")

    def _feedback_box(self) -> None:
        with gr.Group(visible=False, elem_id="feedback") as self.feedback:
            self.feedback_note = gr.Markdown(elem_classes="feedback-note")
            with gr.Row(equal_height=True):
                self.comment = gr.Textbox(show_label=False, placeholder="Your comment (optional)",
                                          scale=5, elem_id="feedback-comment", max_lines=3)
                self.send_comment = gr.Button("Send comment", scale=0, min_width=150,
                                              elem_id="feedback-send")

    # ------------------------------------------------------------------ events

    def _chat_event(self) -> dict[str, Any]:
        return {"outputs": [self.msg, self.chatbot, self.sources, self.turns, self.result, self.status],
                "show_progress": "minimal", "show_progress_on": [self.chatbot], "concurrency_id": "answer"}

    def _clear_outputs(self) -> list[Any]:
        return [self.chatbot, self.turns, self.sources, self.result, self.rated, self.feedback, self.comment]

    def _wire_public(self, demo: gr.Blocks) -> None:
        # Public endpoints first, so gradio_client sees their plain names (/ask, /find_path, ...).
        self.msg.submit(self.ask, [self.msg, self.turns], api_name="ask", **self._chat_event())
        quiz_outputs = [self.intro, *self.slots, *self.cards, *self.ask_buttons, self.card_sources,
                        self.quiz_data, self.card_titles]
        quiz_inputs = [*self.answers, self.background, self.skills, self.region]
        self.go.click(self.find_path, quiz_inputs, quiz_outputs, api_name="find_path", **UNLIMITED)
        self.clear.click(self.clear_chat, None, self._clear_outputs(), api_name="clear", queue=False)
        demo.load(self.refresh_status, None, [self.status, self.timer], api_name="status", **UNLIMITED)
        demo.load(self.chart, [self.chart_regions, self.chart_roles], self.plot, api_name="salary_chart",
                  **CHART_EVENT)
        demo.load(self.compare, [self.role_a, self.role_b], self.side_by_side, api_name="compare",
                  **UNLIMITED)

    def _wire_private(self) -> None:
        chat = self._chat_event()
        self.send.click(self.ask, [self.msg, self.turns], **PRIVATE, **chat)
        self.chatbot.example_select(self.pick_example, None, self.msg, queue=False, **PRIVATE).then(
            self.ask, [self.msg, self.turns], **PRIVATE, **chat)
        self.chatbot.clear(self.clear_chat, None, self._clear_outputs(), queue=False, **PRIVATE)
        self.chatbot.like(self.on_like, [self.turns],
                          [self.turns, self.rated, self.feedback, self.feedback_note, self.comment],
                          **PRIVATE, **UNLIMITED)
        for trigger in (self.send_comment.click, self.comment.submit):
            trigger(self.on_comment, [self.turns, self.rated, self.comment],
                    [self.feedback_note, self.comment], **PRIVATE, **UNLIMITED)
        for i, button in enumerate(self.ask_buttons):
            button.click(partial(self.ask_about, i), [self.card_titles], [self.tabs, self.msg], queue=False,
                         **PRIVATE).then(self.ask, [self.msg, self.turns], scroll_to_output=True,
                                         **PRIVATE, **chat)
        for control in (self.chart_regions, self.chart_roles):
            control.change(self.chart, [self.chart_regions, self.chart_roles], self.plot, **PRIVATE,
                           **CHART_EVENT)
        for control in (self.role_a, self.role_b):
            control.change(self.compare, [self.role_a, self.role_b], self.side_by_side,
                           **PRIVATE, **UNLIMITED)
        self.timer.tick(self.refresh_status, None, [self.status, self.timer], show_progress="hidden",
                        **PRIVATE, **UNLIMITED)

    # ------------------------------------------------------------------ handlers

    def roles(self) -> dict:
        from assistant.roles import load_roles

        return load_roles(self.settings.corpus_dir)

    def ask(self, message: str, turns: list[ChatTurn]):
        for view in stream_chat(self.source, message, turns):
            yield (
                "",
                view.messages,
                view.sources_html,
                view.turns,
                view.result if view.done else gr.skip(),
                self.source.status_line() if view.done else gr.skip(),
            )

    def clear_chat(self):
        return [], [], sources_panel_html([]), None, None, gr.Group(visible=False), ""

    def on_like(self, turns: list[ChatTurn], like: gr.LikeData):
        liked = like.liked if isinstance(like.liked, bool) else None
        index = like.index[0] if isinstance(like.index, (list, tuple)) else like.index
        turns, target, note = rate_answer(self.store, turns, int(index), liked)
        return turns, target, gr.Group(visible=target is not None), note, ""

    def on_comment(self, turns: list[ChatTurn], target: int | None, comment: str):
        note = comment_on_answer(self.store, turns, target, comment)
        return note, "" if note.startswith("Comment saved") else gr.skip()

    def pick_example(self, select: gr.SelectData) -> str:
        value = select.value
        return value.get("text", "") if isinstance(value, dict) else str(value)

    def find_path(self, code, research, stakeholders, background, skills, region):
        try:
            view = quiz_view(self.roles(), code, research, stakeholders, background, skills, region,
                             top_n=CARD_SLOTS, library=quiz_library(self.settings))
        except CareerAssistantError as exc:
            message = error_html(str(exc))
            hidden = [gr.Column(visible=False)] * CARD_SLOTS
            return (message, *hidden, *[""] * CARD_SLOTS, *[gr.Button()] * CARD_SLOTS, "", {}, [])
        slots = [gr.Column(visible=i < len(view.cards)) for i in range(CARD_SLOTS)]
        htmls = [view.cards_html[i] if i < len(view.cards) else "" for i in range(CARD_SLOTS)]
        buttons = [gr.Button(f"Ask about {view.cards[i].role} in the chat" if i < len(view.cards) else "")
                   for i in range(CARD_SLOTS)]
        titles = [c.role for c in view.cards]
        return (view.intro_html, *slots, *htmls, *buttons, view.sources_html, view.data, titles)

    def ask_about(self, slot: int, titles: list[str]):
        if slot >= len(titles):
            return gr.skip(), gr.skip()
        return gr.Tabs(selected="chat"), ASK_ABOUT_ROLE.format(role=titles[slot])

    def chart(self, regions: list[str], titles: list[str]):
        keys = [k for k, label in CHART_REGIONS.items() if label in (regions or [])]
        return salary_chart(self.roles(), keys, titles or [])

    def compare(self, title_a: str, title_b: str) -> str:
        try:
            return comparison_html(self.roles(), title_a, title_b)
        except CareerAssistantError as exc:
            return error_html(str(exc))

    def refresh_status(self):
        return self.source.status_line(), gr.Timer(active=self.source.state == "starting")


def launch_options(settings: Settings) -> dict[str, Any]:
    """Arguments for `Blocks.launch`: address, optional password, and the app's own
    look (local fonts, inline CSS and script: nothing is fetched from outside)."""
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": _auth(settings),
        "auth_message": "The AI Career Assistant is protected: sign in with the configured username.",
        "theme": gr.themes.Soft(primary_hue="indigo", font=["ui-sans-serif", "system-ui", "sans-serif"],
                                font_mono=["ui-monospace", "monospace"]),
        "css": page_css(),
        "head": page_head(),
        "footer_links": ["api", "settings"],
        "show_error": False,
        "share": False,
        "ssr_mode": False,
    }


def serve(settings: Settings) -> None:
    """Start the web app (blocks until stopped); the models load in the background."""
    apply_offline_env()
    source = LazyAssistant(settings)
    options = launch_options(settings)
    if options["auth"] is None and not _is_loopback(settings.host):
        logger.warning("serving on %s without a password: set CAREER_AUTH_USER and CAREER_AUTH_PASSWORD",
                       settings.host)
    launched = threading.Event()
    source.start_warm_up(after=launched)
    demo = build_ui(settings, source)
    try:
        demo.launch(**options, prevent_thread_lock=True, quiet=True)
    except (OSError, OverflowError) as exc:  # the port is taken, or not a port at all
        raise ConfigError(f"cannot serve on {settings.host}:{settings.port} ({_first_line(exc)}): "
                          "set CAREER_PORT to a free port (1-65535) or stop what uses it") from None
    launched.set()
    print(f"{TITLE} on {demo.local_url} (Ctrl+C to stop); the models load in the background.",
          flush=True)
    demo.block_thread()


def _auth(settings: Settings) -> tuple[str, str] | None:
    user = settings.auth_user
    password = settings.auth_password.get_secret_value() if settings.auth_password else None
    if bool(user) != bool(password):
        raise ConfigError("set both CAREER_AUTH_USER and CAREER_AUTH_PASSWORD, or neither")
    return (user, password) if user and password else None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0].split(". ")[0] if text else type(exc).__name__


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    quiet_url_loggers()  # Gradio's start-up probes, and URLs that may carry a key
    apply_offline_env()
    try:
        serve(load_settings())
    except CareerAssistantError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
