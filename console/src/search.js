// Find anything (#/search/TEXT): organisations, places and members whose name holds the text or
// whose code it is, as the API finds them within the caller's scope. Each hit opens where it is
// worked on: an organisation's or place's coverage, a member's organisation roster.
import { gql } from "./api.js";
import { clear, el } from "./dom.js";
import { label, t } from "./i18n.js";
import { dataTable } from "./table.js";

/** The names above a place or household, nearest last ("保税商圈社区 吉安园茅溪小区"). */
function above(node) {
  const names = [];
  for (let p = node?.parent; p; p = p.parent) names.unshift(p.name);
  return names.join(" ");
}

/** Hits by name, with the exact-code hit first when it is not among them already. */
function withExact(exact, found) {
  const nodes = found?.nodes ?? [];
  if (!exact || nodes.some((n) => n.code === exact.code)) return nodes;
  return [exact, ...nodes];
}

export class SearchView {
  constructor(who, navigate) {
    this.who = who;
    this.navigate = navigate;
    this.element = el("div", { class: "search-view" });
  }

  async load(text) {
    text = (text ?? "").trim();
    if (!text) {
      clear(this.element, el("h2", {}, t("search.title")), el("p", { class: "muted" }, t("search.prompt")));
      return;
    }
    clear(this.element, el("p", { class: "muted" }, t("loading")));
    const data = await gql("ConsoleSearch", { text });
    const organisations = withExact(data.organisation, data.organisations);
    const places = withExact(data.place, data.places);
    const members = withExact(data.memberByCode.nodes[0], data.members);
    const count = (found, rows) => `${Math.max(found?.totalCount ?? 0, rows.length)}`;
    clear(
      this.element,
      el("div", { class: "scope-bar" }, el("h2", { "data-search": text }, t("search.for", { q: text }))),
      dataTable({
        id: "search-organisations",
        title: t("search.organisations"),
        note: count(data.organisations, organisations),
        columns: [
          { key: "name", label: t("cov.organisation") },
          { key: "kind", label: t("cov.kind"), value: (r) => `${label(r.kind)}${r.status === "ACTIVE" ? "" : ` · ${label(r.status)}`}` },
          { key: "where", label: t("search.where"), value: (r) => r.parent?.name ?? null },
          { key: "code", label: t("cov.code") },
        ],
        rows: organisations,
        onRowClick: (row) => this.navigate(`#/coverage/${encodeURIComponent(row.code)}`),
        filename: `${t("search.organisations")}-${text}.xlsx`,
      }).element,
      dataTable({
        id: "search-places",
        title: t("search.places"),
        note: count(data.places, places),
        columns: [
          { key: "name", label: t("cov.place") },
          { key: "kind", label: t("cov.kind"), value: (r) => label(r.kind) },
          { key: "where", label: t("search.where"), value: (r) => above(r) || null },
          { key: "code", label: t("cov.code") },
        ],
        rows: places,
        onRowClick: (row) =>
          this.navigate(`#/${row.kind === "ESTATE" ? "work" : "coverage"}/${encodeURIComponent(row.code)}`),
        filename: `${t("search.places")}-${text}.xlsx`,
      }).element,
      dataTable({
        id: "search-members",
        title: t("search.members"),
        note: count(data.members, members),
        columns: [
          { key: "name", label: t("mem.name") },
          { key: "status", label: t("mem.status"), value: (r) => label(r.status) },
          { key: "organisation", label: t("mem.organisation"), value: (r) => r.organisation?.name ?? null },
          {
            key: "household",
            label: t("mem.household"),
            value: (r) => (r.household ? `${above(r.household)} ${r.household.name}`.trim() : null),
          },
          { key: "code", label: t("cov.code") },
        ],
        rows: members,
        onRowClick: (row) =>
          row.organisation ? this.navigate(`#/members/${encodeURIComponent(row.organisation.code)}`) : null,
        filename: `${t("search.members")}-${text}.xlsx`,
      }).element,
    );
  }
}
