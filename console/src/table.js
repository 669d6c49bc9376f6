// Tables the console shows, each with an "export .xlsx" button. The export sends the very values
// shown (numbers as numbers, ratios as fractions) to the server, which writes them with openpyxl.
import { downloadTables } from "./api.js";
import { el, formatRatio } from "./dom.js";
import { t } from "./i18n.js";

/**
 * columns: [{key, label, value(row) -> raw, display(row) -> text|Node, percent, numeric}]
 * Returns {element, exportTable()}.
 */
export function dataTable({ id, title, columns, rows, onRowClick, note, exportAs, filename }) {
  const raw = (column, row) => (column.value ? column.value(row) : row[column.key]);
  const shown = (column, row) => {
    if (column.display) return column.display(row);
    const value = raw(column, row);
    if (column.percent) return formatRatio(value);
    return value == null ? "" : value;
  };
  const exportTable = () => ({
    title,
    columns: columns.map((c) => c.label),
    rows: rows.map((row) => columns.map((c) => raw(c, row) ?? null)),
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
          alert(`${t("error")}: ${error.message}`);
        } finally {
          button.disabled = false;
        }
      },
    },
    t("export"),
  );
  const body = rows.length
    ? rows.map((row) =>
        el(
          "tr",
          {
            class: onRowClick ? "clickable" : null,
            "data-code": row.code ?? null,
            onclick: onRowClick ? () => onRowClick(row) : null,
          },
          columns.map((c) =>
            el("td", { "data-key": c.key, class: c.numeric || c.percent ? "num" : null }, shown(c, row)),
          ),
        ),
      )
    : [el("tr", {}, el("td", { colspan: columns.length, class: "empty" }, t("cov.none")))];
  const element = el(
    "section",
    { class: "card", "data-table": id },
    el("header", {}, el("h3", {}, title), note ? el("span", { class: "note" }, note) : null, button),
    el(
      "div",
      { class: "scroll" },
      el(
        "table",
        {},
        el("thead", {}, el("tr", {}, columns.map((c) => el("th", { "data-key": c.key }, c.label)))),
        el("tbody", {}, body),
      ),
    ),
  );
  return { element, exportTable };
}
