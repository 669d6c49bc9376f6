// Members of an organisation subtree (formal or reporting), a page at a time; phones come masked
// from the API for roles that must not see them. Exports every member of the list. Each name
// opens that member's edit form.
import { downloadTables, gql, gqlAll } from "./api.js";
import { clear, el } from "./dom.js";
import { memberHref } from "./editing.js";
import { label, skill, t } from "./i18n.js";
import { dataTable } from "./table.js";

function columns() {
  return [
    { key: "code", label: t("cov.code") },
    { key: "name", label: t("mem.name"), display: (r) => el("a", { href: memberHref(r.id), "data-role": "edit-member" }, r.name) },
    { key: "gender", label: t("mem.gender"), value: (r) => label(r.gender) },
    { key: "status", label: t("mem.status"), value: (r) => label(r.status) },
    { key: "joined", label: t("mem.joined") },
    { key: "organisation", label: t("mem.organisation"), value: (r) => r.organisation?.name ?? null },
    { key: "inService", label: t("mem.inService"), value: (r) => (r.inService ? t("yes") : t("no")) },
    { key: "workplace", label: t("mem.workplace") },
    { key: "reportsTo", label: t("mem.reportsTo"), value: (r) => r.reportsTo?.name ?? null },
    { key: "household", label: t("mem.household"), value: (r) => r.household?.code ?? null },
    { key: "phone", label: t("mem.phone") },
    { key: "skills", label: t("mem.skills"), value: (r) => r.skills.map(skill).join("、") },
  ];
}

export class MembersView {
  constructor(who, navigate) {
    this.who = who;
    this.navigate = navigate;
    this.element = el("div", { class: "members-view" });
  }

  async load(organisation) {
    organisation = organisation || this.who.organisations[0]?.code;
    this.filter = { organisation };
    this.rows = [];
    this.after = null;
    clear(this.element, el("p", { class: "muted" }, t("loading")));
    await this.more();
  }

  async more() {
    const data = await gql("ConsoleMembers", { filter: this.filter, after: this.after, scope: this.filter.organisation });
    const page = data.members;
    this.rows.push(...page.nodes);
    this.name = data.scope?.name ?? null;
    this.total = page.totalCount;
    this.after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    this.render();
  }

  /** The organisation's name (its code only if the session does not know it). */
  scopeName() {
    const code = this.filter.organisation;
    return this.name ?? this.who.organisations.find((o) => o.code === code)?.name ?? code;
  }

  /** Print the whole list (every page of it), on A4 by the print stylesheet. */
  async print() {
    if (this.after) {
      this.rows = await gqlAll("ConsoleMembers", { filter: this.filter }, (d) => d.members);
      this.after = null;
      this.render();
    }
    window.print();
  }

  render() {
    const table = dataTable({
      id: "members",
      title: t("mem.title"),
      note: t("mem.count", { n: this.rows.length, total: this.total }),
      columns: columns(),
      rows: this.rows,
      exportAs: async () => {
        const all = await gqlAll("ConsoleMembers", { filter: this.filter }, (d) => d.members);
        const full = dataTable({ id: "x", title: t("mem.title"), columns: columns(), rows: all });
        await downloadTables(`${t("mem.title")}-${this.scopeName()}.xlsx`, [full.exportTable()]);
      },
    });
    const picks = this.who.organisations;
    clear(
      this.element,
      el(
        "div",
        { class: "scope-bar" },
        el("h2", {}, `${t("mem.title")} · ${this.scopeName()}`),
        this.who.masksPhones ? el("span", { class: "badge", "data-role": "masked" }, t("mem.masked")) : null,
        picks.length > 1
          ? el(
              "select",
              {
                "aria-label": t("mem.filter"),
                onchange: (e) => this.navigate(`#/members/${encodeURIComponent(e.target.value)}`),
              },
              picks.map((p) => el("option", { value: p.code }, p.name)),
            )
          : null,
        el("button", { type: "button", "data-role": "print", onclick: () => this.print() }, t("mem.print")),
      ),
      table.element,
      this.after
        ? el("button", { class: "more", onclick: () => this.more() }, t("mem.more"))
        : null,
    );
  }
}
