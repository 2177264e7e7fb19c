"""What every page adds for keyboard and screen-reader users: a script that makes figures, films and code
reachable and operable by keyboard and speaks their state, and styles for focus and contrast."""

from __future__ import annotations

import streamlit as st

from rnnviz.core.style import OKABE_ITO

FOCUS_RING = OKABE_ITO["blue"]
"""The focus ring around every control the page script makes reachable (the theme's primary colour)."""

ASSISTIVE_JS = """
(() => {
  if (window.rnnvizAssistive) return;
  window.rnnvizAssistive = true;
  const reduce = window.matchMedia('(prefers-reduced-motion: reduce)');
  const plain = (t) => String(t || '').replace(/\\x3cbr\\s*\\/?>/gi, ' ').replace(/<[^>]+>/g, '')
    .replace(/\\s+/g, ' ').trim();
  const click = (el) => el.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));
  const once = (el, what, add) => { if (!el.dataset['rnnviz' + what]) { el.dataset['rnnviz' + what] = '1'; add(); } };
  const operable = (el, label, act) => {
    el.setAttribute('tabindex', '0');
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', label);
    once(el, 'Keys', () => el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); act(); }
    }));
  };
  const slider = (g) => g._fullLayout && g._fullLayout.sliders && g._fullLayout.sliders[0];
  const isFilm = (g) => !!(g._transitionData && g._transitionData._frames
    && g._transitionData._frames.length > 1 && slider(g));
  const show = (g, i) => {
    const steps = slider(g).steps;
    const at = Math.max(0, Math.min(steps.length - 1, i));
    return Plotly.animate(g, [steps[at].args[0][0]], {frame: {duration: 0, redraw: true},
      transition: {duration: 0}, mode: 'immediate'});
  };
  const film = (g) => {
    const s = slider(g);
    const n = s.steps.length;
    g.querySelectorAll('.updatemenu-button').forEach((b) => {
      const text = b.textContent.trim();
      const play = /play/i.test(text);
      operable(b, play && reduce.matches ? text + ', one step at a time (reduced motion)' : text, () => click(b));
      if (play) once(b, 'Motion', () => b.addEventListener('click', (e) => {
        if (!reduce.matches) return;
        e.stopImmediatePropagation();
        const now = slider(g).active;
        show(g, now >= n - 1 ? 0 : now + 1);
      }, true));
    });
    const rail = g.querySelector('.slider-container');
    if (!rail) return;
    const prefix = (s.currentvalue && s.currentvalue.prefix) || 'Step ';
    const now = Math.max(0, Math.min(n - 1, s.active || 0));
    rail.setAttribute('tabindex', '0');
    rail.setAttribute('role', 'slider');
    rail.setAttribute('aria-label', prefix.trim());
    rail.setAttribute('aria-valuemin', '0');
    rail.setAttribute('aria-valuemax', String(n - 1));
    rail.setAttribute('aria-valuenow', String(now));
    rail.setAttribute('aria-valuetext', prefix + s.steps[now].label + ': ' + plain(g.layout.title && g.layout.title.text));
    once(rail, 'Keys', () => {
      let pending = null;  // the step a key asked for while it is still being drawn: a held key counts on
      rail.addEventListener('keydown', (e) => {
        const at = pending === null ? slider(g).active : pending;
        const to = {ArrowRight: at + 1, ArrowUp: at + 1, ArrowLeft: at - 1, ArrowDown: at - 1,
                    PageUp: at + 5, PageDown: at - 5, Home: 0, End: n - 1}[e.key];
        if (to === undefined) return;
        e.preventDefault();
        const step = Math.max(0, Math.min(n - 1, to));
        const drawn = () => { if (pending === step) pending = null; };
        pending = step;
        show(g, step).then(drawn, drawn);
      });
    });
  };
  const toolbar = (g) => {
    const bar = g.querySelector('.modebar');
    if (bar && !g.querySelector('.rnnviz-png')) {
      const png = document.createElement('a');
      png.className = 'modebar-btn rnnviz-png';
      png.setAttribute('data-title', 'Download plot as a PNG');
      png.textContent = 'PNG';
      png.addEventListener('click', () => {
        const opts = (g._context && g._context.toImageButtonOptions) || {};
        Plotly.downloadImage(g, {format: 'png', filename: opts.filename || 'figure', scale: 2});
      });
      const group = document.createElement('div');
      group.className = 'modebar-group';
      group.appendChild(png);
      bar.appendChild(group);
    }
    g.querySelectorAll('.modebar-btn').forEach((b) =>
      operable(b, b.getAttribute('data-title') || b.textContent.trim(), () => click(b)));
  };
  const scrollable = (el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
  const tidy = () => {
    document.querySelectorAll('.js-plotly-plot').forEach((g) => {
      if (!g._fullLayout) return;
      toolbar(g);
      if (isFilm(g)) {
        film(g);
        once(g, 'Listens', () => g.on && g.on('plotly_animated', () => film(g)));
      }
    });
    document.querySelectorAll('.katex-display, pre').forEach((el) => {
      if (!el.hasAttribute('tabindex') && scrollable(el)) el.setAttribute('tabindex', '0');
    });
  };
  let queued = false;
  const soon = () => { if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; tidy(); }); } };
  new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
  window.addEventListener('resize', soon);
  soon();
})();
"""
"""What the page adds in the browser for keyboard and screen-reader users.

A Plotly film's Play, Pause and step slider are SVG shapes a keyboard cannot reach: they become a
button and a slider (Tab to them; Enter or Space presses, arrows, Page Up/Down, Home and End move the
step). Under ``prefers-reduced-motion``, Play shows the next step instead of running the film. Each
figure's toolbar gets a PNG button beside the camera's SVG, and its buttons become reachable; a formula
or code block that scrolls becomes focusable, so it can be scrolled by keyboard.
The script never writes '<' before a letter or '/' (hence \\x3c): Streamlit's sanitiser drops a script
whose text looks like markup.
"""

CODE_COLOURS = {
    ".token.comment, .token.prolog, .token.doctype, .token.cdata, .token.punctuation": "#5F6368",
    ".token.boolean, .token.constant, .token.symbol, .token.string, .token.char, .token.attr-value": "#00734A",
    ".token.number, .token.regex": "#006D77",
    ".token.attr-name, .token.property, .token.variable": "#0E5A8A",
    ".token.operator, .token.entity, .token.decorator, .token.atrule": "#9A4A00",
    ".token.url": "#7A3E9D",
    ".token.keyword, .token.tag, .token.function, .token.class-name, .token.selector": "#0057A0",
    ".token.important, .token.deleted": "#B3261E",
}
"""Syntax colours for code blocks, each at least 5.2:1 on the code and sidebar backgrounds (WCAG AA asks
4.5:1): Streamlit's own fixed palette draws comments at 3.6:1 and literals at 2.3:1."""

ASSISTIVE_CSS = "".join(
    f"[data-testid='stCode'] :is({sel}) {{ color: {c}; }}\n" for sel, c in CODE_COLOURS.items()
)
ASSISTIVE_CSS += f"""
.js-plotly-plot [tabindex="0"]:focus-visible, .katex-display:focus-visible, pre:focus-visible {{
  outline: 3px solid {FOCUS_RING}; outline-offset: 2px; }}
.js-plotly-plot .plotly .modebar:focus-within {{ opacity: 1; }}
.js-plotly-plot .rnnviz-png {{ font: 600 10px sans-serif; line-height: 16px; }}
"""


def assistive() -> None:
    """Add the page script and styles for keyboard and screen-reader users (see ASSISTIVE_JS)."""
    st.sidebar.html(
        f"<style>{ASSISTIVE_CSS}</style><script>{ASSISTIVE_JS}</script>", unsafe_allow_javascript=True
    )
