"""The classroom: a lesson's text (predict, then play), Restart the lesson, projector mode, teacher's link."""

from __future__ import annotations

import html
import io
import json

import segno
import streamlit as st
from streamlit import components

from playground.config import RunConfig
from playground.lessons import LESSONS, Lesson
from playground.markup import md
from playground.ui import sidebar, state, surface_controls

# Projector mode: no sidebar (nor its toggle), no header or app title, less padding, larger text.
PRESENT_CSS = """<style>
[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],[data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"],[data-testid="stLayoutWrapper"]:has(> .st-key-title_row){display:none !important}
[data-testid="stMainBlockContainer"]{padding:0.5rem 1rem 1rem !important;max-width:100% !important}
[data-testid="stVerticalBlock"]{gap:0.4rem !important}
[data-testid="stMarkdownContainer"] p,[data-testid="stMarkdownContainer"] li{font-size:1.3rem !important}
[data-testid="stCaptionContainer"],[data-testid="stCaptionContainer"] p{font-size:1.1rem !important}
.stButton button p{font-size:1.2rem !important}
</style>"""


def open_lesson(mode: str) -> Lesson | None:
    """The lesson open in this mode, if any."""
    name = state.ui().lesson
    lesson = LESSONS.get(name) if name else None
    return lesson if lesson is not None and lesson.mode == mode else None


def present_style() -> None:
    """Projector mode's look; call once per page run."""
    st.html(PRESENT_CSS)


def present_controls(cfg: RunConfig, mode: str) -> RunConfig:
    """Projector mode's controls: only the open lesson's own (less any the link hides), in one row."""
    lesson, hidden = open_lesson(mode), set(state.ui().hide)
    names = [n for n in (lesson.controls if lesson else ()) if n not in hidden]
    values: dict = {}
    for col, name in zip(st.columns(max(len(names), 1)), names, strict=False):
        with col:
            sidebar.draw_controls([name], cfg, values)
    return cfg.replace(**values)


def lesson_text(mode: str, runner) -> None:
    """The open lesson's idea and formula, its question before the run and its answer after it."""
    lesson, present = open_lesson(mode), state.ui().present
    if lesson is None:
        return
    cols = st.columns([3, 1, 1.25], vertical_alignment="center")
    # In a popover: the idea and its formula are a click away, and the charts keep the first screen.
    with cols[1].popover("The idea", icon=":material/school:", width="stretch",
                         help=f"About this lesson: {lesson.title}"):
        st.markdown(md(lesson.explanation))
        st.latex(lesson.formula)
        if present:  # the lesson caption above the page says it otherwise
            st.markdown(f"**What to look for:** {md(lesson.look_for)}")
    title = f"**{md(lesson.title)}.** " if present else ""
    if runner.done:
        cols[0].success(f"{title}**Answer:** {md(lesson.answer)}", icon=":material/lightbulb:")
    else:
        cols[0].info(f"{title}**Predict, then play:** {md(lesson.question)}", icon=":material/help:")
    cols[2].button("Restart the lesson", key="restart_lesson", icon=":material/replay:", on_click=_restart,
                   args=(lesson.name,), width="stretch",
                   help="The lesson's own settings and initial weights, from epoch 0")


def _restart(name: str) -> None:
    """Back to the lesson's own settings and weights: the run is built afresh from its config."""
    ui, lesson = state.ui(), LESSONS[name]
    ui.playing = False
    if ui.run is not None:
        ui.run.worker.pause()
        ui.runs.pop(ui.mode, None)  # even with unchanged settings the next page run starts from epoch 0
    ui.lesson = name
    if lesson.surface is not None:
        surface_controls.push(lesson.surface)
        return
    state.push_config(lesson.config)
    if lesson.race:
        ui.lanes, ui.lanes_version = [dict(lane) for lane in lesson.lanes], ui.lanes_version + 1


def teacher_panel(teacher_query: dict[str, str], student_query: dict[str, str]) -> None:
    """The teacher's link (projector mode) with a copy button, and a QR code of the students' link."""
    teacher_url, student_url = state.page_url(teacher_query), state.page_url(student_query)
    st.markdown("**Teacher's link** (projector mode: no sidebar, large charts, only the lesson's controls)")
    st.code(teacher_url, language=None)
    copy_button(teacher_url, "Copy teacher link")
    st.image(qr_png(student_url), width=220,
             caption="Students scan this to open the same run (same seed, same curves) on their phones.")


def qr_png(text: str) -> bytes:
    """A QR code of text as PNG bytes, drawn on the server."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def copy_button(text: str, label: str) -> None:
    """A button that copies text to the clipboard (the component iframe may write it)."""
    payload = json.dumps(text).replace("</", "<\\/")
    components.v1.html(
        f"""<button id="b" style="font:14px sans-serif;padding:6px 14px;border:1px solid #ccc;border-radius:8px;
background:#fff;cursor:pointer">{html.escape(label)}</button><script>
const text = {payload}, b = document.getElementById("b");
b.onclick = async () => {{
  try {{ await navigator.clipboard.writeText(text); }}
  catch (e) {{ const a = document.createElement("textarea"); a.value = text; document.body.appendChild(a);
               a.select(); document.execCommand("copy"); a.remove(); }}
  b.textContent = "Copied";
}};</script>""", height=44)
