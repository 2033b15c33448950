// judgebox pages: countdowns, live fragments, and the question page's
// run / submit / history. No framework; every call sends the session's
// CSRF token; nothing from a response is inserted as HTML except the
// server-rendered fragments of our own pages.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;

  async function call(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: Object.assign(
        { "Accept": "application/json" },
        body === undefined ? {} : { "Content-Type": "application/json" },
        csrf ? { "X-CSRF-Token": csrf } : {}
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(data?.error?.message || response.status + " " + response.statusText);
    }
    return data;
  }

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Countdowns: <time data-countdown="RFC 3339">.
  function countdowns() {
    const clocks = document.querySelectorAll("time[data-countdown]");
    if (!clocks.length) return;
    const tick = () => {
      for (const clock of clocks) {
        let seconds = Math.max(0, Math.round((Date.parse(clock.dataset.countdown) - Date.now()) / 1000));
        if (seconds === 0 && !clock.dataset.reloaded) {
          clock.dataset.reloaded = "1";
          setTimeout(() => location.reload(), 1500);
        }
        const days = Math.floor(seconds / 86400);
        seconds %= 86400;
        const parts = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60]
          .map((n) => String(n).padStart(2, "0"))
          .join(":");
        clock.textContent = (days ? days + "d " : "") + parts;
      }
    };
    tick();
    setInterval(tick, 1000);
  }

  // Live fragments: <div data-live-src="URL" data-live-every="seconds">,
  // replaced by our server's HTML for URL.
  function liveFragments() {
    for (const box of document.querySelectorAll("[data-live-src]")) {
      const every = 1000 * Number(box.dataset.liveEvery || 10);
      setInterval(async () => {
        if (document.hidden) return;
        try {
          const response = await fetch(box.dataset.liveSrc, { credentials: "same-origin" });
          if (response.ok) box.innerHTML = await response.text();
        } catch (_) { /* try again next time */ }
      }, every);
    }
  }

  const VERDICTS = {
    accepted: "Accepted",
    wrong_answer: "Wrong answer",
    time_limit_exceeded: "Time limit exceeded",
    memory_limit_exceeded: "Memory limit exceeded",
    output_limit_exceeded: "Output limit exceeded",
    runtime_error: "Runtime error",
    compilation_error: "Compilation error",
    internal_error: "Internal error",
  };

  function verdict(status) {
    return element("span", { class: "verdict " + status }, VERDICTS[status] || status);
  }

  // An execution's results as a table: verdict, time and memory per test;
  // a hidden test shows its verdict only; a compile error its message.
  function renderResult(container, title, execution) {
    container.replaceChildren();
    const summary = execution.summary || {};
    container.append(element("h2", {}, title));
    container.append(
      element("p", { class: "summary" },
        summary.all_passed ? verdict("accepted") : verdict(firstFailure(execution)),
        " ", `${summary.passed ?? 0} of ${summary.total_tests ?? 0} tests passed`,
        summary.max_score !== undefined ? ` · score ${summary.score} / ${summary.max_score}` : "")
    );
    if (execution.compile_output) {
      container.append(element("h3", {}, "Compiler output"), element("pre", { class: "compile" }, execution.compile_output));
    }
    const rows = (execution.test_results || []).map((test) =>
      element("tr", {},
        element("td", { class: "num" }, test.test_number),
        element("td", {}, verdict(test.status), test.hidden ? element("span", { class: "muted" }, " hidden") : null),
        element("td", { class: "num" }, `${Math.round(test.execution_time_ms)} ms`),
        element("td", { class: "num" }, `${(test.memory_usage_mb || 0).toFixed(1)} MB`),
        element("td", {}, test.hidden ? "" : details(test))
      )
    );
    container.append(
      element("table", { class: "results" },
        element("thead", {}, element("tr", {},
          element("th", { scope: "col", class: "num" }, "Test"),
          element("th", { scope: "col" }, "Verdict"),
          element("th", { scope: "col", class: "num" }, "Time"),
          element("th", { scope: "col", class: "num" }, "Memory"),
          element("th", { scope: "col" }, "Details"))),
        element("tbody", {}, ...rows))
    );
  }

  function firstFailure(execution) {
    const failed = (execution.test_results || []).find((test) => test.status !== "accepted");
    return failed ? failed.status : "wrong_answer";
  }

  function details(test) {
    if (test.status === "accepted") return "";
    const box = element("details", {}, element("summary", {}, "Show"));
    const io = [["Input", test.input], ["Expected", test.expected_output], ["Your output", test.actual_output], ["Errors", test.stderr || test.message]];
    for (const [label, text] of io) {
      if (text) box.append(element("div", { class: "label" }, label), element("pre", {}, text));
    }
    return box;
  }

  // The question page.
  function questionPage() {
    const form = document.getElementById("solution");
    if (!form) return;
    const results = document.getElementById("results");
    const history = document.querySelector("#history tbody");
    const language = document.getElementById("language");
    const code = document.getElementById("code");
    const buttons = form.querySelectorAll("button[data-action]");

    function busy(on) {
      for (const button of buttons) button.toggleAttribute("aria-busy", on);
      form.toggleAttribute("data-busy", on);
    }
    function failed(error) {
      results.replaceChildren(element("p", { class: "error", role: "alert" }, error.message));
    }
    const payload = () => ({ language: language.value, code: code.value });

    form.querySelector('[data-action="run"]').addEventListener("click", async () => {
      busy(true);
      results.replaceChildren(element("p", { class: "muted" }, "Running on the examples…"));
      try {
        renderResult(results, "Examples", await call("POST", form.dataset.run, payload()));
      } catch (error) { failed(error); } finally { busy(false); }
    });

    form.querySelector('[data-action="submit"]').addEventListener("click", async () => {
      busy(true);
      results.replaceChildren(element("p", { class: "muted" }, "Submitted; waiting for the judge…"));
      try {
        const submission = await call("POST", form.dataset.submit, payload());
        addHistory(submission);
        follow(submission.submission_id);
      } catch (error) { failed(error); busy(false); }
    });

    async function follow(id) {
      try {
        const submission = await call("GET", "/ui/submissions/" + id);
        updateHistory(submission);
        if (submission.state !== "finished") {
          results.replaceChildren(element("p", { class: "muted" }, `Your submission is ${submission.state}…`));
          setTimeout(() => follow(id), 500);
          return;
        }
        busy(false);
        if (submission.result) renderResult(results, "Submission", submission.result);
        else results.replaceChildren(element("p", {}, "This submission could not be judged."));
      } catch (error) { failed(error); busy(false); }
    }

    function historyRow(submission) {
      const score = submission.score === null || submission.score === undefined ? "–" : `${submission.score} / ${submission.max_score}`;
      return element("tr", { "data-submission": submission.submission_id },
        element("td", {}, new Date(submission.created_at).toLocaleTimeString()),
        element("td", {}, submission.language),
        element("td", {}, submission.state),
        element("td", { class: "num" }, score),
        element("td", {},
          element("button", { type: "button", class: "link", "data-action": "open", "data-id": submission.submission_id }, "Open in editor"), " ",
          element("button", { type: "button", class: "link", "data-action": "show", "data-id": submission.submission_id }, "Results")));
    }
    function addHistory(submission) { history.prepend(historyRow(submission)); }
    function updateHistory(submission) {
      const row = history.querySelector(`tr[data-submission="${submission.submission_id}"]`);
      if (row) row.replaceWith(historyRow(submission));
    }

    history.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-id]");
      if (!button) return;
      try {
        const submission = await call("GET", "/ui/submissions/" + button.dataset.id);
        if (button.dataset.action === "open") {
          language.value = submission.language;
          language.dispatchEvent(new Event("change"));
          if (window.judgeboxEditor) window.judgeboxEditor.setText("code", submission.code);
          else code.value = submission.code;
        } else if (submission.result) {
          renderResult(results, "Submission", submission.result);
        }
      } catch (error) { failed(error); }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    countdowns();
    liveFragments();
    questionPage();
  });
})();
