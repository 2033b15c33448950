// judgebox's code editor: CodeMirror 6 on the server-rendered pages.
//
// esbuild bundles this file and its npm packages (pinned by
// web/package-lock.json) into web/dist/editor.js, one minified IIFE that
// judgebox serves itself: no CDN, the pages work offline.
//
// The contract with the pages:
//
//   <meta name="csp-nonce" content="NONCE">
//   <label for="code">Your solution</label>
//   <textarea id="code" name="code" rows="16" data-editor data-language="python"
//             data-draft-key="KEY">initial text</textarea>
//   <select name="language" data-language-for="code">...</select>
//   <pre data-highlight="cpp"><code>read-only code</code></pre>
//   <script src="/static/editor.js" defer></script>
//
// - Each `textarea[data-editor]` is hidden and followed by a CodeMirror editor
//   in a `div.judgebox-editor`; the textarea keeps the text on every change,
//   so the form submits it. Languages: python, javascript, c, cpp, cpp20,
//   java; anything else is plain text. A `select[data-language-for=ID]`
//   switches the language of the textarea with that id, and its value wins
//   over data-language on load. The editor's aria-label is the textarea's
//   aria-label, else its aria-labelledby, else its <label>.
// - With data-draft-key, the text is saved in localStorage under
//   `judgebox:draft:KEY:LANGUAGE` 300 ms after each change and when the page
//   is left; a saved non-empty draft replaces the initial text on load.
//   Switching language saves the draft and loads that language's one, if any
//   (otherwise the text stays), and remembers the language under
//   `judgebox:language:KEY` for the next load. KEY should name the user as
//   well as the question, since a browser may be shared.
// - Each `pre[data-highlight=LANGUAGE]` becomes a read-only highlighted view
//   in a `div.judgebox-code` (which takes the pre's id and classes).
// - `window.judgeboxEditor`: setText(id, text[, language]), getText(id),
//   focus(id), init(root) for elements added later.
//
// The Content-Security-Policy forbids inline scripts and styles: nothing here
// uses eval, new Function, inline handlers or style attributes in markup.
// CodeMirror mounts its stylesheet as a <style> element that carries the nonce
// from the meta tag; sizes are set through the CSSOM (element.style), which
// CSP allows.

import { Compartment, EditorState, Transaction, Annotation } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  drawSelection,
  dropCursor,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { python } from "@codemirror/lang-python";
import { javascript } from "@codemirror/lang-javascript";
import { cpp } from "@codemirror/lang-cpp";
import { java } from "@codemirror/lang-java";

const DRAFT_PREFIX = "judgebox:draft:";
// The language last picked for a draft key, so a reload reopens it.
const LANGUAGE_PREFIX = "judgebox:language:";
const SAVE_DELAY_MS = 300;

// judgebox's language names (GET /languages) to CodeMirror's languages.
// Anything else is plain text.
const LANGUAGES = {
  python: python,
  javascript: javascript,
  c: cpp,
  cpp: cpp,
  cpp17: cpp,
  cpp20: cpp,
  java: java,
};

function languageExtension(name) {
  const make = LANGUAGES[normalize(name)];
  return make ? make() : [];
}

function normalize(name) {
  return String(name || "").trim().toLowerCase();
}

// Marks the transactions that load text (a draft for another language) rather
// than an edit by the user: they do not make the draft dirty.
const loading = Annotation.define();

// ---- CSP nonce -------------------------------------------------------------

function cspNonce() {
  const meta = document.querySelector('meta[name="csp-nonce"]');
  const nonce = meta && meta.getAttribute("content");
  return nonce ? [EditorView.cspNonce.of(nonce)] : [];
}

// ---- Look ------------------------------------------------------------------

// Fits its container (the page's width on a phone), scrolls sideways for long
// lines, and grows with its text up to 80% of the viewport's height. The font
// is 1rem (16px unless the reader changed it), which also keeps phones from
// zooming in when the editor takes focus. Colours keep a contrast of 4.5:1 or
// more against white; defaultHighlightStyle does too.
const baseTheme = EditorView.theme({
  "&": {
    width: "100%",
    maxWidth: "100%",
    maxHeight: "80vh",
    fontSize: "1rem",
    backgroundColor: "#ffffff",
    color: "#1b1b1b",
    border: "1px solid #767676",
    borderRadius: "4px",
    boxSizing: "border-box",
  },
  "&.cm-focused": {
    outline: "3px solid #1a5fb4",
    outlineOffset: "1px",
  },
  ".cm-scroller": {
    overflow: "auto",
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace",
    lineHeight: "1.5",
  },
  ".cm-gutters": {
    backgroundColor: "#f4f4f4",
    color: "#595959",
    borderRight: "1px solid #d0d0d0",
  },
  ".cm-activeLine": { backgroundColor: "#eef4fc" },
  ".cm-activeLineGutter": { backgroundColor: "#e1e9f5", color: "#1b1b1b" },
  ".cm-panels": { fontSize: "0.9rem" },
});

const readOnlyTheme = EditorView.theme({
  "&": { backgroundColor: "#fafafa" },
  ".cm-content": { caretColor: "transparent" },
});

// ---- Drafts in localStorage -----------------------------------------------

function draftKey(ed, language) {
  return DRAFT_PREFIX + ed.draftKey + ":" + normalize(language);
}

function loadDraft(ed, language) {
  if (!ed.draftKey) return null;
  try {
    const text = window.localStorage.getItem(draftKey(ed, language));
    return text && text.length > 0 ? text : null;
  } catch (e) {
    return null; // storage disabled (private mode, policy): no drafts
  }
}

function loadLanguage(draftKey) {
  if (!draftKey) return null;
  try {
    return window.localStorage.getItem(LANGUAGE_PREFIX + draftKey);
  } catch (e) {
    return null;
  }
}

function storeLanguage(ed) {
  if (!ed.draftKey) return;
  try {
    window.localStorage.setItem(LANGUAGE_PREFIX + ed.draftKey, ed.language);
  } catch (e) {
    // Storage disabled: the page's default language is used next time.
  }
}

function storeDraft(ed, language, text) {
  if (!ed.draftKey) return;
  try {
    if (text.length > 0) window.localStorage.setItem(draftKey(ed, language), text);
    else window.localStorage.removeItem(draftKey(ed, language));
  } catch (e) {
    // Quota exceeded or storage disabled: the editor goes on without a draft.
  }
}

// Saves the text now if it changed since the last save.
function flush(ed) {
  if (ed.timer !== null) {
    clearTimeout(ed.timer);
    ed.timer = null;
  }
  if (!ed.dirty) return;
  ed.dirty = false;
  storeDraft(ed, ed.language, ed.view.state.doc.toString());
}

function scheduleSave(ed) {
  ed.dirty = true;
  if (ed.timer !== null) clearTimeout(ed.timer);
  ed.timer = setTimeout(() => {
    ed.timer = null;
    flush(ed);
  }, SAVE_DELAY_MS);
}

// ---- Editors ---------------------------------------------------------------

// textarea id -> editor record, for window.judgeboxEditor.
const editors = new Map();
const all = [];

function labelOf(el) {
  const aria = el.getAttribute("aria-label");
  if (aria && aria.trim()) return aria.trim();
  const labelledBy = el.getAttribute("aria-labelledby");
  if (labelledBy) {
    const text = labelledBy
      .split(/\s+/)
      .map((id) => document.getElementById(id))
      .filter(Boolean)
      .map((node) => node.textContent.trim())
      .join(" ");
    if (text) return text;
  }
  if (el.labels && el.labels.length > 0) {
    const text = el.labels[0].textContent.trim();
    if (text) return text;
  }
  return "Code";
}

function languageSelect(textarea) {
  if (!textarea.id) return null;
  for (const select of document.querySelectorAll("select[data-language-for]")) {
    if (select.getAttribute("data-language-for") === textarea.id) return select;
  }
  return null;
}

function setupEditor(textarea) {
  const select = languageSelect(textarea);
  // The language last picked for this draft wins (a reload reopens it, even
  // where the browser does not restore the form); then the picker's value,
  // which the browser may restore after "back"; then data-language.
  const remembered = loadLanguage(textarea.getAttribute("data-draft-key"));
  if (select && remembered && [...select.options].some((o) => o.value === remembered)) {
    select.value = remembered;
  }
  const language = normalize(select && select.value ? select.value : textarea.getAttribute("data-language"));
  const ed = {
    textarea,
    select,
    language,
    draftKey: textarea.getAttribute("data-draft-key") || "",
    dirty: false,
    timer: null,
    view: null,
    languageConf: new Compartment(),
  };

  // A saved, non-empty draft wins over the textarea's initial text.
  const initial = loadDraft(ed, language) ?? textarea.value;
  textarea.value = initial;

  const readOnly = textarea.readOnly || textarea.disabled;
  const contentAttributes = { "aria-label": labelOf(textarea) };
  const describedBy = textarea.getAttribute("aria-describedby");
  if (describedBy) contentAttributes["aria-describedby"] = describedBy;

  const state = EditorState.create({
    doc: initial,
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      dropCursor(),
      indentUnit.of("    "),
      EditorState.tabSize.of(4),
      indentOnInput(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      bracketMatching(),
      closeBrackets(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      // Tab indents and Shift-Tab dedents (indentWithTab). So that keyboard
      // users are not trapped, CodeMirror lets focus leave the editor: press
      // Escape, then Tab (or Shift-Tab) within two seconds; Ctrl-M
      // (Shift-Alt-M on macOS) toggles Tab moving focus for good.
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
      ed.languageConf.of(languageExtension(language)),
      EditorView.contentAttributes.of(contentAttributes),
      EditorState.readOnly.of(readOnly),
      EditorView.editable.of(!textarea.disabled),
      baseTheme,
      cspNonce(),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
        if (!update.transactions.some((tr) => tr.annotation(loading))) scheduleSave(ed);
      }),
    ],
  });

  const wrapper = document.createElement("div");
  wrapper.className = "judgebox-editor";
  textarea.insertAdjacentElement("afterend", wrapper);
  ed.view = new EditorView({ state, parent: wrapper });

  // Keep the textarea in the form (its name and value are submitted), hidden.
  textarea.hidden = true;
  textarea.style.display = "none";
  textarea.setAttribute("aria-hidden", "true");
  textarea.tabIndex = -1;

  // At least as many lines as the textarea's rows (10 if it has none).
  const rows = parseInt(textarea.getAttribute("rows"), 10) || 10;
  ed.view.scrollDOM.style.minHeight = rows * 1.5 + "em";

  // A click on the textarea's <label> focuses the editor.
  if (textarea.labels) {
    for (const label of textarea.labels) {
      label.addEventListener("click", (event) => {
        event.preventDefault();
        ed.view.focus();
      });
    }
  }

  if (select) {
    select.addEventListener("change", () => switchLanguage(ed, select.value));
  }

  const form = textarea.form;
  if (form) {
    // After a form reset the textarea holds its initial text again.
    form.addEventListener("reset", () => {
      setTimeout(() => {
        const text = textarea.value;
        if (select) switchLanguage(ed, select.value);
        replaceText(ed, text, false);
        flush(ed);
      }, 0);
    });
    // The textarea is already in sync; save the draft before leaving.
    form.addEventListener("submit", () => flush(ed));
  }

  if (textarea.id) editors.set(textarea.id, ed);
  all.push(ed);
  return ed;
}

// Replaces the whole text. `isLoad` marks a load that is not the user's edit
// (no draft saved for it) and keeps it out of the undo history.
function replaceText(ed, text, isLoad) {
  const view = ed.view;
  const tr = {
    changes: { from: 0, to: view.state.doc.length, insert: text },
    selection: { anchor: 0 },
    scrollIntoView: true,
  };
  if (isLoad) tr.annotations = [loading.of(true), Transaction.addToHistory.of(false)];
  else tr.userEvent = "input.replace";
  view.dispatch(tr);
}

// Saves the draft of the language being left, switches the highlighting, and
// loads the new language's draft if there is one (otherwise the text stays).
function switchLanguage(ed, language) {
  language = normalize(language);
  if (language === ed.language) return;
  flush(ed);
  ed.language = language;
  storeLanguage(ed);
  ed.textarea.setAttribute("data-language", language);
  const effects = ed.languageConf.reconfigure(languageExtension(language));
  const draft = loadDraft(ed, language);
  if (draft !== null && draft !== ed.view.state.doc.toString()) {
    ed.view.dispatch({
      effects,
      changes: { from: 0, to: ed.view.state.doc.length, insert: draft },
      selection: { anchor: 0 },
      annotations: [loading.of(true), Transaction.addToHistory.of(false)],
    });
  } else {
    ed.view.dispatch({ effects });
  }
}

// ---- Read-only highlighted code -------------------------------------------

function setupHighlight(pre) {
  const language = pre.getAttribute("data-highlight");
  // The text of <pre><code>…</code></pre>, without the one newline that
  // usually ends it.
  const text = pre.textContent.replace(/\r?\n$/, "");
  const label = pre.getAttribute("aria-label") || "Code" + (language ? " (" + language + ")" : "");
  const wrapper = document.createElement("div");
  wrapper.className = "judgebox-code" + (pre.className ? " " + pre.className : "");
  if (pre.id) wrapper.id = pre.id;
  pre.replaceWith(wrapper);
  return new EditorView({
    parent: wrapper,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        highlightSpecialChars(),
        EditorState.readOnly.of(true),
        EditorView.editable.of(false),
        EditorState.tabSize.of(4),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        languageExtension(language),
        EditorView.contentAttributes.of({ "aria-label": label }),
        baseTheme,
        readOnlyTheme,
        cspNonce(),
      ],
    }),
  });
}

// ---- Page contract ---------------------------------------------------------

// Turns every `textarea[data-editor]` and `pre[data-highlight]` under `root`
// (the document by default) into CodeMirror views; each element once only.
function init(root) {
  root = root || document;
  for (const textarea of root.querySelectorAll("textarea[data-editor]")) {
    if (textarea.judgeboxEditor) continue;
    textarea.judgeboxEditor = true;
    setupEditor(textarea);
  }
  for (const pre of root.querySelectorAll("pre[data-highlight]")) {
    if (pre.judgeboxEditor) continue;
    pre.judgeboxEditor = true;
    setupHighlight(pre);
  }
}

function flushAll() {
  for (const ed of all) flush(ed);
}

// beforeunload for desktop; pagehide and a hidden page for phones, which
// often close a tab without beforeunload.
window.addEventListener("beforeunload", flushAll);
window.addEventListener("pagehide", flushAll);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") flushAll();
});

window.judgeboxEditor = {
  // Puts `text` into the editor of the textarea with this id (undoable with
  // Ctrl-Z) and saves it as the draft. With `language`, first switches the
  // editor and its <select data-language-for> to that language. Returns false
  // when there is no such editor.
  setText(textareaId, text, language) {
    const ed = editors.get(textareaId);
    if (!ed) return false;
    if (language) {
      if (ed.select) ed.select.value = normalize(language);
      switchLanguage(ed, language);
    }
    replaceText(ed, String(text), false);
    flush(ed);
    return true;
  },
  // The editor's current text, or null when there is no such editor.
  getText(textareaId) {
    const ed = editors.get(textareaId);
    return ed ? ed.view.state.doc.toString() : null;
  },
  // Focuses the editor; returns false when there is no such editor.
  focus(textareaId) {
    const ed = editors.get(textareaId);
    if (!ed) return false;
    ed.view.focus();
    return true;
  },
  // Enhances elements added to the page later (results, history).
  init,
};

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => init(document));
} else {
  init(document);
}
