// Importing a workbook (#/import): pick an .xlsx or a .zip of CSV files, check it (the server
// runs the whole import and rolls it back), read the row report — every problem with its sheet,
// row and column — or what would change, then confirm to import it for real. Uploads show their
// progress; the template workbook has every sheet with example rows.
import { ApiError, SESSION_HEADER } from "./api.js";
import { clear, el } from "./dom.js";
import { announceChange, confirmation } from "./forms.js";
import { errorText, has, t } from "./i18n.js";
import { dataTable } from "./table.js";

const SHEETS = ["places", "organisations", "members", "offices", "pairings", "tasks", "suggestions"];

/** POST the file to /console/import, reporting upload progress; resolves {status, body}. */
function upload(file, check, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    const query = new URLSearchParams({ name: file.name, ...(check ? { check: "1" } : {}) });
    request.open("POST", `/console/import?${query}`);
    request.setRequestHeader(SESSION_HEADER, "1");
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.responseType = "json";
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded, event.total);
    request.upload.onload = () => onProgress(null, null);
    request.onload = () => resolve({ status: request.status, body: request.response ?? {} });
    request.onerror = () => reject(new ApiError(t("imp.network"), 0));
    request.send(file);
  });
}

async function downloadTemplate() {
  const response = await fetch("/console/import/template.xlsx", { headers: { [SESSION_HEADER]: "1" }, credentials: "same-origin" });
  if (!response.ok) throw new ApiError(`HTTP ${response.status}`, response.status);
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: t("imp.templateFile") });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** What to fix, in the console's language from the problem's code; the importer's words after. */
function fixText(problem) {
  const key = `imp.code.${problem.code}`;
  return has(key) ? `${t(key, problem.params)}：${problem.message}` : problem.message;
}

export class ImportView {
  constructor(who) {
    this.who = who;
    this.element = el("div", { class: "import-view" });
  }

  async load() {
    this.file = el("input", { type: "file", name: "workbook", accept: ".xlsx,.xlsm,.zip", "aria-label": t("imp.file") });
    this.progress = el("progress", { max: 100, value: 0, "data-role": "progress", hidden: true, "aria-label": t("imp.progress") });
    this.stage = el("span", { class: "muted", "data-role": "stage", role: "status" });
    this.result = el("div", { "data-role": "import-result" });
    const check = el("button", { type: "submit", class: "primary" }, t("imp.check"));
    const template = el(
      "button",
      {
        type: "button",
        "data-role": "template",
        onclick: () => downloadTemplate().catch((e) => this.fail(e.message)),
      },
      t("imp.template"),
    );
    // Imports change whole trees: only an admin (the server also requires an unscoped one).
    const allowed = this.who.role === "admin";
    clear(
      this.element,
      el("div", { class: "scope-bar" }, el("h2", {}, t("imp.title"))),
      allowed ? null : el("p", { class: "muted", "data-role": "read-only" }, t("imp.refused.FORBIDDEN")),
      allowed &&
      el(
        "form",
        {
          class: "card",
          "data-form": "import",
          onsubmit: async (event) => {
            event.preventDefault();
            const file = this.file.files[0];
            if (!file) return this.fail(t("imp.pick"));
            check.disabled = true;
            try {
              await this.check(file);
            } finally {
              check.disabled = false;
            }
          },
        },
        el("p", { class: "muted" }, t("imp.intro")),
        el("div", { class: "actions-bar" }, this.file, check, template),
        el("div", { class: "actions-bar" }, this.progress, this.stage),
      ),
      this.result,
    );
  }

  fail(text) {
    clear(this.result, el("p", { class: "error", role: "alert", "data-role": "import-error" }, text));
  }

  /** Upload, showing the bytes sent, then "checking" until the server answers. */
  async send(file, check) {
    this.progress.hidden = false;
    this.progress.value = 0;
    this.stage.textContent = t("imp.uploading");
    const onProgress = (loaded, total) => {
      if (loaded == null) {
        this.progress.removeAttribute("value"); // indeterminate: the server is working
        this.stage.textContent = check ? t("imp.checking") : t("imp.importing");
      } else {
        this.progress.value = Math.round((100 * loaded) / total);
        this.stage.textContent = `${t("imp.uploading")} ${this.progress.value}%`;
      }
    };
    try {
      return await upload(file, check, onProgress);
    } finally {
      this.progress.hidden = true;
      this.stage.textContent = "";
    }
  }

  async check(file) {
    clear(this.result);
    const { status, body } = await this.send(file, true).catch((e) => ({ status: 0, body: { error: e.message } }));
    if (status !== 200) return this.fail(this.refusal(status, body));
    if (body.problems.length) return this.problems(file, body.problems);
    const confirm = el(
      "button",
      {
        type: "button",
        class: "primary",
        "data-role": "confirm-import",
        onclick: async () => {
          confirm.disabled = true;
          await this.commit(file);
          confirm.disabled = false;
        },
      },
      t("imp.confirm"),
    );
    clear(
      this.result,
      el("p", { "data-role": "checked", class: "ok" }, t("imp.checked", { name: file.name })),
      this.counts(body.counts, "import-preview", t("imp.wouldChange")).element,
      el("div", { class: "actions-bar" }, confirm, el("span", { class: "muted" }, t("imp.nothingYet"))),
    );
    confirm.focus();
  }

  async commit(file) {
    const { status, body } = await this.send(file, false).catch((e) => ({ status: 0, body: { error: e.message } }));
    if (status === 422) return this.problems(file, body.problems);
    if (status !== 200) return this.fail(this.refusal(status, body));
    announceChange();
    clear(
      this.result,
      confirmation(t("imp.done", { name: file.name })),
      this.counts(body.counts, "import-done", t("imp.changed")).element,
    );
  }

  refusal(status, body) {
    const key = `imp.refused.${body.code}`;
    if (has(key)) return t(key, body.params ?? {});
    return `${t("error")}: ${errorText({ code: body.code, params: body.params, status })}`;
  }

  counts(counts, id, title) {
    const rows = SHEETS.filter((s) => counts[s]).map((s) => ({ code: s, sheet: t(`imp.sheet.${s}`), ...counts[s] }));
    return dataTable({
      id,
      title,
      columns: [
        { key: "sheet", label: t("imp.sheet") },
        { key: "created", label: t("imp.created"), numeric: true },
        { key: "updated", label: t("imp.updated"), numeric: true },
        { key: "unchanged", label: t("imp.unchanged"), numeric: true },
      ],
      rows,
      filename: `${title}.xlsx`,
    });
  }

  problems(file, problems) {
    const table = dataTable({
      id: "import-problems",
      title: t("imp.problems"),
      note: t("imp.problemCount", { n: problems.length }),
      columns: [
        { key: "sheet", label: t("imp.sheet"), value: (p) => (SHEETS.includes(p.sheet) ? `${t(`imp.sheet.${p.sheet}`)}（${p.sheet}）` : p.sheet) },
        { key: "row", label: t("imp.row"), numeric: true },
        { key: "column", label: t("imp.column") },
        { key: "fix", label: t("imp.fix"), value: (p) => fixText(p) },
      ],
      rows: problems,
      filename: `${t("imp.problems")}-${file.name}.xlsx`,
    });
    const heading = el("p", { class: "error", role: "alert", tabindex: "-1", "data-role": "refused" }, t("imp.refused", { name: file.name, n: problems.length }));
    clear(this.result, heading, table.element);
    heading.focus();
  }
}
