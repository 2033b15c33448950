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
          if (response.ok) {
            box.innerHTML = await response.text();
            countUnread(box);
          }
        } catch (_) { /* try again next time */ }
      }, every);
    }
  }

  // Clarifications: how many changed since this browser last showed them
  // (kept per contest in localStorage), in the heading's badge; shown
  // once the list is on screen.
  function countUnread(box) {
    const contest = box.dataset.clarifications;
    if (!contest) return;
    const key = "judgebox:seen:" + contest;
    const seen = Number(localStorage.getItem(key) || 0);
    const times = [...box.querySelectorAll("[data-updated]")].map((item) => Date.parse(item.dataset.updated));
    const unread = times.filter((time) => time > seen).length;
    for (const badge of document.querySelectorAll(`[data-unread-for="${CSS.escape(contest)}"]`)) {
      badge.textContent = `${unread} new`;
      badge.hidden = unread === 0;
    }
    const newest = Math.max(seen, ...times);
    if (box.dataset.onScreen === "yes") localStorage.setItem(key, String(newest));
  }
  function clarifications() {
    for (const box of document.querySelectorAll("[data-clarifications]")) {
      countUnread(box);
      new IntersectionObserver((entries) => {
        box.dataset.onScreen = entries.some((e) => e.isIntersecting) ? "yes" : "no";
      }).observe(box);
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
    partially_accepted: "Partially accepted",
    skipped: "Skipped",
    not_judged: "Not judged",
    queued: "Queued",
    running: "Running",
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
    if (summary.groups && summary.groups.length) {
      container.append(element("ul", { class: "groups" }, ...summary.groups.map((group) =>
        element("li", {}, `${group.name}: ${group.score} / ${group.max_score}`))));
    }
    if (execution.compile_output) {
      container.append(element("h3", {}, "Compiler output"), element("pre", { class: "compile" }, execution.compile_output));
    }
    const rows = (execution.test_results || []).map((test) =>
      element("tr", {},
        element("td", { class: "num" }, test.test_number),
        element("td", {}, verdict(test.status), test.hidden ? element("span", { class: "muted" }, " hidden") : null),
        // A hidden test's figures are withheld (null).
        element("td", { class: "num" }, test.execution_time_ms == null ? "—" : `${Math.round(test.execution_time_ms)} ms`),
        element("td", { class: "num" }, test.memory_usage_mb == null ? "—" : `${test.memory_usage_mb.toFixed(1)} MB`),
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
        element("td", {}, ...verdictCell(submission)),
        element("td", { class: "num" }, score),
        element("td", {},
          element("button", { type: "button", class: "link", "data-action": "open", "data-id": submission.submission_id }, "Open in editor"), " ",
          element("button", { type: "button", class: "link", "data-action": "show", "data-id": submission.submission_id }, "Results")));
    }
    // Its verdict (its state until first judged), and what a rejudge changed.
    function verdictCell(submission) {
      const cell = [verdict(submission.verdict || submission.state)];
      if (submission.rejudging) cell.push(" ", element("span", { class: "tag running" }, "being rejudged"));
      const last = (submission.history || []).at(-1);
      if (last && last.verdict !== last.replaced_by) {
        cell.push(" ", element("span", { class: "rejudged" }, `rejudged; was ${VERDICTS[last.verdict] || last.verdict}`));
      }
      return cell;
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


  // ---- Teachers' pages ----

  // A file's text, through FileReader.
  function readText(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(new Error(`could not read ${file.name}`));
      reader.readAsText(file);
    });
  }

  function showStatus(box, text, failed) {
    if (!box) return;
    box.hidden = false;
    box.textContent = text;
    box.classList.toggle("error", !!failed);
  }

  // Fills the question form from a question as the admin API takes it.
  function fillQuestion(form, question) {
    const set = (name, value) => {
      const field = form.elements.namedItem(name);
      if (field && !field.readOnly && value !== undefined && value !== null) field.value = String(value);
    };
    set("slug", question.slug);
    set("title", question.title);
    set("statement", question.statement);
    const limits = question.limits || {};
    for (const name of ["time_ms", "memory_mb", "output_kb", "instruction_limit"]) set(name, limits[name]);
    if (question.compare) {
      set("compare", question.compare.mode);
      set("tolerance", question.compare.tolerance);
    }
    if (Array.isArray(question.languages)) {
      for (const box of form.querySelectorAll('input[name="languages"]')) {
        box.checked = question.languages.includes(box.value);
      }
    }
  }

  // The question form's file input: .in/.out pairs (1.in with 1.out), or
  // one .json file (a tests array, or a whole question).
  function testFiles() {
    for (const input of document.querySelectorAll("input[type=file][data-tests-into]")) {
      const target = document.getElementById(input.dataset.testsInto);
      const form = document.getElementById(input.dataset.form) || input.form;
      const status = document.getElementById("files-status");
      const hidden = document.querySelector("[data-tests-hidden]");
      input.addEventListener("change", async () => {
        const files = Array.from(input.files || []);
        if (!files.length) return;
        try {
          const json = files.filter((f) => f.name.toLowerCase().endsWith(".json"));
          if (json.length) {
            if (files.length !== 1) throw new Error("Load one .json file on its own, or .in/.out pairs.");
            const document_ = JSON.parse(await readText(json[0]));
            const tests = Array.isArray(document_) ? document_ : document_.test_cases;
            if (!Array.isArray(tests)) throw new Error(`${json[0].name} is neither a tests array nor a question with test_cases.`);
            if (!Array.isArray(document_)) fillQuestion(form, document_);
            target.value = JSON.stringify(tests, null, 2);
            showStatus(status, `Loaded ${tests.length} test${tests.length === 1 ? "" : "s"} from ${json[0].name}` +
              (Array.isArray(document_) ? "." : ", and the question's other fields."));
            return;
          }
          const pairs = new Map();
          for (const file of files) {
            const match = /^(.*)\.(in|out)$/i.exec(file.name);
            if (!match) throw new Error(`${file.name}: expected a name ending in .in or .out.`);
            const pair = pairs.get(match[1]) || {};
            pair[match[2].toLowerCase()] = file;
            pairs.set(match[1], pair);
          }
          const names = Array.from(pairs.keys()).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
          const unpaired = names.filter((name) => !pairs.get(name).in || !pairs.get(name).out);
          if (unpaired.length) {
            throw new Error(`No partner for: ${unpaired.map((n) => n + (pairs.get(n).in ? ".in" : ".out")).join(", ")}.`);
          }
          const tests = [];
          for (const name of names) {
            const pair = pairs.get(name);
            tests.push({
              input: await readText(pair.in),
              expected_output: await readText(pair.out),
              hidden: !!(hidden && hidden.checked),
              points: 1,
            });
          }
          target.value = JSON.stringify(tests, null, 2);
          showStatus(status, `Loaded ${tests.length} test${tests.length === 1 ? "" : "s"} from ${files.length} files (${names.join(", ")}). Save to keep them.`);
        } catch (error) {
          showStatus(status, error.message, true);
        } finally {
          input.value = "";
        }
      });
    }
  }

  // <input type=file data-text-into="ID">: the file's text into a textarea.
  function textFiles() {
    for (const input of document.querySelectorAll("input[type=file][data-text-into]")) {
      input.addEventListener("change", async () => {
        const file = input.files && input.files[0];
        if (!file) return;
        document.getElementById(input.dataset.textInto).value = await readText(file);
      });
    }
  }

  // <button data-download-csv="TABLE-ID" data-filename="...">: the table
  // (header and rows, as shown) as a CSV file.
  function csvDownloads() {
    const quote = (text) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
    for (const button of document.querySelectorAll("[data-download-csv]")) {
      button.addEventListener("click", () => {
        const table = document.getElementById(button.dataset.downloadCsv);
        const lines = Array.from(table.rows).map((row) =>
          Array.from(row.cells).map((cell) => quote(cell.textContent.trim())).join(","));
        const blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
        const url = URL.createObjectURL(blob);
        const link = element("a", { href: url, download: button.dataset.filename || "table.csv" });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      });
    }
  }

  // <form data-confirm="question?">: asks before submitting.
  // The question pages' package upload: the zip as the body, then the
  // import's report, and a link to the question.
  function packageUpload() {
    const form = document.querySelector("form[data-package-upload]");
    if (!form) return;
    const status = form.querySelector("#package-status");
    const report = form.querySelector("#package-report");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const slug = form.dataset.slug || form.querySelector("#package-slug").value.trim();
      const file = form.querySelector("#package-file").files[0];
      if (!file) return;
      const strict = form.querySelector("#package-strict").checked;
      showStatus(status, "Importing: building the checker, validating and judging the package's solutions…", false);
      report.replaceChildren();
      const response = await fetch("/ui/admin/questions/" + encodeURIComponent(slug) + "/package" + (strict ? "?strict=true" : ""), {
        method: "PUT",
        headers: Object.assign({ "Accept": "application/json", "Content-Type": "application/zip" }, csrf ? { "X-CSRF-Token": csrf } : {}),
        body: await file.arrayBuffer(),
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        showStatus(status, "Not imported: " + (data?.error?.message || response.status + " " + response.statusText), true);
        return;
      }
      const result = data.report;
      showStatus(status, result.verified ? "Imported and verified." : "Imported, but not verified: " + result.reason, !result.verified);
      const rows = result.submissions.map((s) => element("tr", {},
        element("td", {}, element("code", {}, s.path)),
        element("td", {}, s.expected),
        element("td", {}, s.skipped ? "skipped: " + s.skipped : verdict(s.outcome)),
        element("td", {}, s.skipped ? "" : (s.as_expected ? "as expected" : "NOT as expected"))));
      report.append(
        element("p", {}, `${result.format} package, ${result.tests} tests; time limit ${result.time_limit_ms} ms (${result.time_limit_source}).`),
        element("table", {},
          element("thead", {}, element("tr", {},
            element("th", { scope: "col" }, "Solution"), element("th", { scope: "col" }, "Expected"),
            element("th", { scope: "col" }, "Outcome"), element("th", { scope: "col" }, ""))),
          element("tbody", {}, ...rows)),
        ...result.warnings.map((w) => element("p", { class: "help" }, "Note: " + w)),
        element("p", {}, element("a", { class: "button", href: data.edit_url }, "Open the question")));
    });
  }

  function confirmations() {
    document.addEventListener("submit", (event) => {
      const question = event.target.dataset && event.target.dataset.confirm;
      if (question && !window.confirm(question)) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    countdowns();
    liveFragments();
    clarifications();
    questionPage();
    testFiles();
    textFiles();
    csvDownloads();
    packageUpload();
    confirmations();
  });
})();
