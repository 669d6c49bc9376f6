// Tables the console shows, each with an "export .xlsx" button, a filter box and sortable
// columns. The export sends the very values shown (numbers as numbers, ratios as fractions, in
// the order and with the filter shown) to the server, which writes them with openpyxl.
import { downloadTables } from "./api.js";
import { el, formatRatio } from "./dom.js";
import { errorText, t } from "./i18n.js";

const collator = new Intl.Collator(["zh-CN", "en"], { numeric: true });

/** Compare two raw cell values: empty last, numbers as numbers, text as Chinese readers sort. */
function compare(a, b) {
  if (a == null || a === "") return b == null || b === "" ? 0 : 1;
  if (b == null || b === "") return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return collator.compare(String(a), String(b));
}

/**
 * columns: [{key, label, value(row) -> raw, display(row) -> text|Node, percent, numeric}]
 * rowClass(row) -> a class for the row (a gap in red). Returns {element, exportTable()}.
 */
export function dataTable({ id, title, columns, rows, onRowClick, note, exportAs, filename, rowClass }) {
  const raw = (column, row) => (column.value ? column.value(row) : row[column.key]);
  const shown = (column, row) => {
    if (column.display) return column.display(row);
    const value = raw(column, row);
    if (column.percent) return formatRatio(value);
    return value == null ? "" : value;
  };
  const text = (column, row) => {
    const value = shown(column, row);
    return value instanceof Node ? value.textContent : String(value);
  };
  let sortKey = null;
  let sortDirection = 1;
  let query = "";
  const visible = () => {
    const needle = query.toLowerCase();
    const kept = needle
      ? rows.filter((row) => columns.some((c) => text(c, row).toLowerCase().includes(needle)))
      : [...rows];
    const column = columns.find((c) => c.key === sortKey);
    if (column) kept.sort((a, b) => sortDirection * compare(raw(column, a), raw(column, b)));
    return kept;
  };
  const exportTable = () => ({
    title,
    columns: columns.map((c) => c.label),
    rows: visible().map((row) => columns.map((c) => raw(c, row) ?? null)),
    percentColumns: columns.flatMap((c, i) => (c.percent ? [i] : [])),
  });
  const button = el(
    "button",
    {
      class: "export",
      "data-export": id,
      onclick: async () => {
        button.disabled = true;
        try {
          if (exportAs) await exportAs();
          else await downloadTables(filename || `${title}.xlsx`, [exportTable()]);
        } catch (error) {
          // A lost session or server is the shell's to handle (sign-in, retry).
          if (error.status === 401 || error.code === "OFFLINE") throw error;
          alert(`${t("error")}: ${errorText(error)}`);
        } finally {
          button.disabled = false;
        }
      },
    },
    t("export"),
  );
  const activate = (row) => (event) => {
    if (event.type === "click" || event.key === "Enter") onRowClick(row);
  };
  const tbody = el("tbody");
  const count = el("span", { class: "note", "data-role": "filtered" });
  const renderBody = () => {
    const kept = visible();
    count.textContent = query ? t("table.filtered", { n: kept.length }) : "";
    tbody.replaceChildren(
      ...(kept.length
        ? kept.map((row) =>
            el(
              "tr",
              {
                class: [onRowClick ? "clickable" : null, rowClass?.(row)].filter(Boolean).join(" ") || null,
                "data-code": row.code ?? null,
                // A row that opens something is reached and opened by keyboard too.
                tabindex: onRowClick ? 0 : null,
                onclick: onRowClick ? activate(row) : null,
                onkeydown: onRowClick ? activate(row) : null,
              },
              columns.map((c) =>
                el("td", { "data-key": c.key, class: c.numeric || c.percent ? "num" : null }, shown(c, row)),
              ),
            ),
          )
        : [el("tr", {}, el("td", { colspan: columns.length, class: "empty" }, t("cov.none")))]),
    );
  };
  const headers = columns.map((c) => {
    const th = el(
      "th",
      { "data-key": c.key, scope: "col", "aria-sort": "none" },
      el(
        "button",
        {
          type: "button",
          class: "sort",
          title: t("table.sort", { column: c.label }),
          onclick: () => {
            sortDirection = sortKey === c.key ? -sortDirection : 1;
            sortKey = c.key;
            for (const other of headers) other.setAttribute("aria-sort", "none");
            th.setAttribute("aria-sort", sortDirection > 0 ? "ascending" : "descending");
            renderBody();
          },
        },
        c.label,
      ),
    );
    return th;
  });
  const filter =
    rows.length > 1
      ? el("input", {
          type: "search",
          class: "filter",
          "data-filter": id,
          placeholder: t("table.filter"),
          "aria-label": t("table.filterLabel", { title }),
          oninput: (event) => {
            query = event.target.value.trim();
            renderBody();
          },
        })
      : null;
  renderBody();
  const element = el(
    "section",
    { class: "card", "data-table": id },
    el("header", {}, el("h3", {}, title), note ? el("span", { class: "note" }, note) : null, count, filter, button),
    el(
      "div",
      // Scrollable, so reachable and named for keyboards and screen readers.
      { class: "scroll", tabindex: 0, role: "region", "aria-label": t("table.region", { title }) },
      el("table", {}, el("thead", {}, el("tr", {}, headers)), tbody),
    ),
  );
  return { element, exportTable };
}
