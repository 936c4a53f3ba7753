"""The web app (Gradio wiring only): `python ui.py` or `career-assistant serve`.

Every value shown is built by `assistant.webapp`; this module lays out components and
connects events to it.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
import threading
from functools import partial
from typing import Any

import gradio as gr

from assistant import webapp
from assistant.errors import CareerAssistantError, ConfigError
from assistant.settings import Settings, apply_offline_env, load_settings, quiet_url_loggers

logger = logging.getLogger(__name__)

CARD_SLOTS = 3


def build_ui(settings: Settings, assistant: webapp.LazyAssistant | None = None) -> gr.Blocks:
    """The app's Blocks, with its queue set to `settings.concurrency` answers at a time."""
    apply_offline_env()
    from assistant.feedback import FeedbackStore
    from assistant.quiz import BACKGROUNDS, QUESTIONS
    from assistant.roles import load_roles

    source = assistant or webapp.LazyAssistant(settings)
    store = FeedbackStore(settings.feedback_db)
    try:
        roles_at_start = load_roles(settings.corpus_dir)
    except CareerAssistantError as exc:
        logger.warning("the quiz and the comparison need the guide: %s", exc)
        roles_at_start = {}
    profiled = webapp.profiled_roles(roles_at_start)

    def roles() -> dict:
        return load_roles(settings.corpus_dir)

    # ------------------------------------------------------------------ handlers

    def ask(message: str, turns: list[webapp.ChatTurn]):
        for view in webapp.stream_chat(source, message, turns):
            yield (
                "",
                view.messages,
                view.sources_html,
                view.turns,
                view.result if view.done else gr.skip(),
                source.status_line() if view.done else gr.skip(),
            )

    def clear_chat():
        return [], [], webapp.sources_panel_html([]), None, None, gr.Group(visible=False), ""

    def on_like(turns: list[webapp.ChatTurn], like: gr.LikeData):
        liked = like.liked if isinstance(like.liked, bool) else None
        index = like.index[0] if isinstance(like.index, (list, tuple)) else like.index
        turns, target, note = webapp.rate_answer(store, turns, int(index), liked)
        return turns, target, gr.Group(visible=target is not None), note, ""

    def on_comment(turns: list[webapp.ChatTurn], target: int | None, comment: str):
        note = webapp.comment_on_answer(store, turns, target, comment)
        return note, "" if note.startswith("Comment saved") else gr.skip()

    def pick_example(select: gr.SelectData) -> str:
        value = select.value
        return value.get("text", "") if isinstance(value, dict) else str(value)

    def find_path(code, research, stakeholders, background, skills, region):
        try:
            view = webapp.quiz_view(roles(), code, research, stakeholders, background, skills, region,
                                    top_n=CARD_SLOTS, library=webapp.quiz_library(settings))
        except CareerAssistantError as exc:
            message = webapp.error_html(str(exc))
            hidden = [gr.Column(visible=False)] * CARD_SLOTS
            return (message, *hidden, *[""] * CARD_SLOTS, *[gr.Button()] * CARD_SLOTS, "", {}, [])
        slots = [gr.Column(visible=i < len(view.cards)) for i in range(CARD_SLOTS)]
        htmls = [view.cards_html[i] if i < len(view.cards) else "" for i in range(CARD_SLOTS)]
        buttons = [gr.Button(f"Ask about {view.cards[i].role} in the chat" if i < len(view.cards) else "")
                   for i in range(CARD_SLOTS)]
        titles = [c.role for c in view.cards]
        return (view.intro_html, *slots, *htmls, *buttons, view.sources_html, view.data, titles)

    def ask_about(slot: int, titles: list[str]):
        if slot >= len(titles):
            return gr.skip(), gr.skip()
        return gr.Tabs(selected="chat"), webapp.ASK_ABOUT_ROLE.format(role=titles[slot])

    def chart(regions: list[str], titles: list[str]):
        keys = [k for k, label in webapp.CHART_REGIONS.items() if label in (regions or [])]
        return webapp.salary_chart(roles(), keys, titles or [])

    def compare(title_a: str, title_b: str) -> str:
        try:
            return webapp.comparison_html(roles(), title_a, title_b)
        except CareerAssistantError as exc:
            return webapp.error_html(str(exc))

    def refresh_status():
        return source.status_line(), gr.Timer(active=source.state == "starting")

    # ------------------------------------------------------------------ layout

    with gr.Blocks(title=webapp.TITLE, analytics_enabled=False) as demo:
        turns = gr.State([])
        rated = gr.State(None)
        card_titles = gr.State([])
        with gr.Column(elem_classes="app-header"):
            gr.Markdown(f"# {webapp.TITLE}\n{webapp.INTRO}")
        status = gr.Markdown(source.status_line(), elem_classes="status-line", elem_id="status-line")
        timer = gr.Timer(2.0, active=True)

        with gr.Tabs(elem_id="main-tabs") as tabs:
            with gr.Tab("Chat", id="chat", elem_id="tab-chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=340):
                        chatbot = gr.Chatbot(
                            label="Conversation", elem_id="chatbot", height=520,
                            examples=[{"text": q} for q in webapp.EXAMPLE_QUESTIONS],
                            placeholder="**Ask anything about AI careers.** Try one of these:",
                            feedback_options=("Like", "Dislike"), buttons=["copy"], layout="bubble",
                        )
                        with gr.Row(equal_height=True):
                            msg = gr.Textbox(
                                show_label=False, scale=5,
                                placeholder="Ask about a role, skills, salaries, breaking in…",
                                elem_id="question", max_lines=4, submit_btn=False,
                            )
                            send = gr.Button("Send", variant="primary", scale=1, min_width=80, elem_id="send")
                        with gr.Row():
                            clear = gr.Button("Clear conversation", size="sm", elem_id="clear", scale=0,
                                              min_width=160)
                            gr.Markdown(webapp.FOLLOW_UP_HINT, elem_classes="follow-hint")
                        with gr.Group(visible=False, elem_id="feedback") as feedback_box:
                            feedback_note = gr.Markdown(elem_classes="feedback-note")
                            with gr.Row(equal_height=True):
                                comment = gr.Textbox(show_label=False, placeholder="Your comment (optional)",
                                                     scale=5, elem_id="feedback-comment", max_lines=3)
                                send_comment = gr.Button("Send comment", scale=0, min_width=150,
                                                         elem_id="feedback-send")
                    with gr.Column(scale=2, min_width=300):
                        gr.Markdown("### Sources from the guide")
                        sources = gr.HTML(webapp.sources_panel_html([]), elem_id="sources")
                result = gr.JSON(visible=False, label="Last answer")

            with gr.Tab("Find your path", id="path", elem_id="tab-path"):
                gr.Markdown("The guide's quiz: answer honestly; leave a question blank if you are unsure.")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2, min_width=300):
                        answers = [gr.Radio([webapp.YES, webapp.NO], label=q.text, elem_id=f"quiz-{q.key}")
                                   for q in QUESTIONS]
                        background = gr.Dropdown([b.label for b in BACKGROUNDS], value=BACKGROUNDS[-1].label,
                                                 label="What's your current background?",
                                                 elem_id="quiz-background")
                        skills = gr.Textbox(label="Skills you already have (optional)",
                                            placeholder="e.g. Python, SQL, Docker", elem_id="quiz-skills")
                        region = gr.Radio(list(webapp.REGION_CHOICES), value=webapp.ANY_REGION,
                                          label="Where do you want to work? (for salaries)",
                                          elem_id="quiz-region")
                        go = gr.Button("Show my paths", variant="primary", elem_id="quiz-go")
                    with gr.Column(scale=3, min_width=320):
                        intro = gr.HTML('<p class="quiz-intro">Your ranked roles appear here.</p>')
                        slots, cards, ask_buttons = [], [], []
                        for i in range(CARD_SLOTS):
                            with gr.Column(visible=False, elem_classes="card-slot") as slot:
                                cards.append(gr.HTML(elem_id=f"card-{i}"))
                                ask_buttons.append(gr.Button(size="sm", elem_id=f"ask-role-{i}"))
                            slots.append(slot)
                        card_sources = gr.HTML()
                        quiz_data = gr.JSON(visible=False, label="Recommendation")

            with gr.Tab("Compare roles", id="compare", elem_id="tab-compare"):
                with gr.Row():
                    chart_regions = gr.CheckboxGroup(list(webapp.CHART_REGIONS.values()),
                                                     value=list(webapp.CHART_REGIONS.values()),
                                                     label="Regions", scale=2, min_width=300)
                    chart_roles = gr.Dropdown(profiled, value=profiled, multiselect=True, label="Roles",
                                              scale=3, min_width=300)
                plot = gr.Plot(label="Salary ranges by role and region", show_label=False, format="png",
                               elem_id="salary-chart")
                gr.Markdown("### Side by side")
                with gr.Row():
                    role_a = gr.Dropdown(profiled, value=(profiled or [None])[0], label="Role A",
                                         min_width=240)
                    role_b = gr.Dropdown(profiled, value=(profiled[1:] or [None])[0], label="Role B",
                                         min_width=240)
                side_by_side = gr.HTML(elem_id="compare")

        # ------------------------------------------------------------------ events
        # Public endpoints first, so gradio_client sees their plain names (/ask, /find_path, ...).
        chat_outputs = [msg, chatbot, sources, turns, result, status]
        chat = {"outputs": chat_outputs, "show_progress": "minimal", "show_progress_on": [chatbot],
                "concurrency_id": "answer"}
        private = {"api_visibility": "private"}
        unlimited = {"concurrency_limit": None}
        chart_event = {"concurrency_id": "chart", "concurrency_limit": 1}
        msg.submit(ask, [msg, turns], api_name="ask", **chat)
        quiz_outputs = [intro, *slots, *cards, *ask_buttons, card_sources, quiz_data, card_titles]
        go.click(find_path, [*answers, background, skills, region], quiz_outputs, api_name="find_path",
                 **unlimited)
        clear_outputs = [chatbot, turns, sources, result, rated, feedback_box, comment]
        clear.click(clear_chat, None, clear_outputs, api_name="clear", queue=False)
        demo.load(refresh_status, None, [status, timer], api_name="status", **unlimited)
        demo.load(chart, [chart_regions, chart_roles], plot, api_name="salary_chart", **chart_event)
        demo.load(compare, [role_a, role_b], side_by_side, api_name="compare", **unlimited)

        send.click(ask, [msg, turns], **private, **chat)
        chatbot.example_select(pick_example, None, msg, queue=False, **private).then(
            ask, [msg, turns], **private, **chat)
        chatbot.clear(clear_chat, None, clear_outputs, queue=False, **private)
        chatbot.like(on_like, [turns], [turns, rated, feedback_box, feedback_note, comment], **private,
                     **unlimited)
        for trigger in (send_comment.click, comment.submit):
            trigger(on_comment, [turns, rated, comment], [feedback_note, comment], **private, **unlimited)
        for i, button in enumerate(ask_buttons):
            button.click(partial(ask_about, i), [card_titles], [tabs, msg], queue=False, **private).then(
                ask, [msg, turns], scroll_to_output=True, **private, **chat)
        for control in (chart_regions, chart_roles):
            control.change(chart, [chart_regions, chart_roles], plot, **private, **chart_event)
        for control in (role_a, role_b):
            control.change(compare, [role_a, role_b], side_by_side, **private, **unlimited)
        timer.tick(refresh_status, None, [status, timer], show_progress="hidden", **private, **unlimited)

    demo.queue(default_concurrency_limit=settings.concurrency)
    return demo


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
        "css": webapp.page_css(),
        "head": webapp.page_head(),
        "footer_links": ["api", "settings"],
        "show_error": False,
        "share": False,
        "ssr_mode": False,
    }


def serve(settings: Settings) -> None:
    """Start the web app (blocks until stopped); the models load in the background."""
    apply_offline_env()
    source = webapp.LazyAssistant(settings)
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
    print(f"{webapp.TITLE} on {demo.local_url} (Ctrl+C to stop); the models load in the background.",
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
