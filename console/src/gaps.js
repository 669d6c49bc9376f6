// Acting on a gap (#/gap/CODE), reached from the gaps of a coverage: a building without a group
// shows the members living there and lets the organiser give it an existing group of the
// estate's branch or create one; an estate without a branch lets them have an existing branch
// of the community cover it or start one. Every gap row links here, so each is reachable by
// keyboard (Tab, Enter).
import { gql } from "./api.js";
import { clear, el } from "./dom.js";
import { memberHref, orgHref } from "./editing.js";
import { confirmation, mutationForm, today } from "./forms.js";
import { label, t } from "./i18n.js";
import { dataTable } from "./table.js";

// Gaps the console can close here; the others (a building no member lives in) link to coverage.
const ACTIONABLE = new Set(["BUILDING_WITHOUT_GROUP", "ESTATE_WITHOUT_BRANCH"]);
const HOLDS_GROUPS = new Set(["BRANCH", "GENERAL_BRANCH"]);
const HOLDS_BRANCHES = new Set(["PARTY_COMMITTEE", "GENERAL_BRANCH", "WORKING_COMMITTEE"]);

let pending = null;

/** The link of a gap row in a coverage's gaps: act on it, or look at its place. */
export function gapLink(gap) {
  const code = gap.place.code;
  return ACTIONABLE.has(gap.kind)
    ? el("a", { href: `#/gap/${encodeURIComponent(code)}`, "data-gap-link": code, onclick: (e) => e.stopPropagation() }, t("gap.act"))
    : el("a", { href: `#/coverage/${encodeURIComponent(code)}`, "data-gap-link": code, onclick: (e) => e.stopPropagation() }, t("gap.look"));
}

/** The next free code "<parent>-<prefix>NN" among `taken`. */
function nextCode(parent, prefix, taken) {
  const pattern = new RegExp(`^${parent.replace(/[-.]/g, "\\$&")}-${prefix}(\\d+)$`);
  const numbers = taken.map((code) => Number(code.match(pattern)?.[1] ?? 0));
  return `${parent}-${prefix}${String(Math.max(0, ...numbers) + 1).padStart(2, "0")}`;
}

async function send(operation, field, input) {
  return (await gql(operation, { input }))[field];
}

export class GapView {
  constructor(who, navigate) {
    this.who = who;
    this.navigate = navigate;
    this.element = el("div", { class: "gap-view" });
  }

  async load(code) {
    this.code = code;
    clear(this.element, el("p", { class: "muted" }, t("loading")));
    const place = code ? (await gql("ConsoleGapPlace", { code })).place : null;
    if (!place || !["BUILDING", "ESTATE"].includes(place.kind)) {
      clear(this.element, el("p", { class: "error" }, `${t("chart.noHits")}: ${code ?? ""}`));
      return;
    }
    this.place = place;
    if (place.kind === "BUILDING") await this.building(place);
    else await this.estate(place);
    if (pending) {
      this.element.prepend(confirmation(pending));
      pending = null;
    }
  }

  async closed(text) {
    pending = text;
    await this.load(this.code);
  }

  header(place, gapKind, closedBy) {
    return el(
      "div",
      { class: "scope-bar" },
      el(
        "nav",
        { class: "crumbs" },
        place.parent ? el("a", { href: `#/coverage/${encodeURIComponent(place.parent.code)}`, "data-role": "back" }, `↑ ${place.parent.name}`) : null,
        el("h2", { "data-gap": place.code }, `${place.parent?.name ?? ""} ${place.name}`),
      ),
      closedBy.length
        ? el(
            "span",
            { class: "badge ok", "data-role": "gap-state", "data-closed": "" },
            t("gap.closedBy"),
            // Where the organisation is edited (its leader or secretary appointed).
            closedBy.map((o, i) => [i ? "、" : " ", el("a", { href: orgHref(o.code) }, o.name)]),
          )
        : el("span", { class: "badge error", "data-role": "gap-state" }, label(gapKind)),
    );
  }

  residents(place) {
    return dataTable({
      id: "gap-residents",
      title: t("gap.residents", { name: place.name }),
      note: `${place.residents.totalCount}`,
      columns: [
        { key: "code", label: t("cov.code") },
        { key: "name", label: t("mem.name"), display: (m) => el("a", { href: memberHref(m.id) }, m.name) },
        { key: "status", label: t("mem.status"), value: (m) => label(m.status) },
        { key: "household", label: t("mem.household"), value: (m) => [m.household?.parent?.name, m.household?.name].filter(Boolean).join(" ") },
        { key: "organisation", label: t("mem.organisation"), value: (m) => m.organisation?.name ?? t("edit.noOrganisation") },
        { key: "group", label: t("edit.group"), value: (m) => m.group?.name ?? null },
      ],
      rows: place.residents.nodes,
      filename: `${t("gap.residents", { name: place.name })}.xlsx`,
    });
  }

  writable(...forms) {
    if (!this.who.canWrite) return el("p", { class: "muted", "data-role": "read-only" }, t("edit.readOnly"));
    return el("div", { class: "forms" }, forms.map((f) => f.element));
  }

  async building(building) {
    const estate = building.parent;
    const branches = estate.coveredBy.nodes.filter((o) => HOLDS_GROUPS.has(o.kind));
    const found = await Promise.all(branches.map((b) => gql("ConsoleGapOrganisations", { within: b.code, kind: "GROUP" })));
    const groups = found.flatMap((d) => d.organisations.nodes);
    const closedBy = building.coveredBy.nodes.filter((o) => o.kind === "GROUP");
    const assign = mutationForm({
      id: "assign-group",
      title: t("gap.assignGroup"),
      intro: t("gap.assignGroupIntro", { name: building.name }),
      fields: [
        {
          name: "organisation",
          label: t("gap.group"),
          type: "select",
          required: true,
          options: groups.map((g) => [g.code, `${g.name}（${g.covers.nodes.map((p) => p.name).join("、") || t("cov.none")}）`]),
        },
        { name: "on", label: t("edit.on"), type: "date", value: today() },
      ],
      send: (v) => {
        const group = groups.find((g) => g.code === v.organisation);
        return send("ConsoleSetCoverage", "setCoverage", { organisation: v.organisation, cover: [building.code], on: v.on, expectedVersion: group?.version ?? null });
      },
      reload: () => this.load(this.code),
      done: (p) => this.closed(t("gap.groupAssigned", { building: building.name, group: p.organisation.code })),
    });
    const first = branches[0];
    // Members of the estate's branches living here: who may be placed in its group.
    const candidates = building.residents.nodes.filter((m) => branches.some((b) => b.code === m.organisation?.code));
    const memberChoices = candidates.map((m) => [m.code, `${m.name}${m.group ? `（${m.group.name}）` : ""}`]);
    const create = mutationForm({
      id: "create-group",
      title: t("gap.createGroup"),
      intro: t("gap.createGroupIntro"),
      fields: [
        { name: "parent", label: t("gap.branch"), type: "select", required: true, options: branches.map((b) => [b.code, b.name]) },
        { name: "code", label: t("cov.code"), required: true, value: first ? nextCode(first.code, "G", groups.map((g) => g.code)) : "" },
        { name: "name", label: t("edit.name"), required: true, value: `${estate.name}${building.name}党小组` },
        { name: "established", label: t("edit.established"), type: "date", value: today() },
        { name: "members", label: t("gap.members"), type: "checks", options: memberChoices },
        { name: "leader", label: t("gap.leaderField"), type: "select", options: candidates.map((m) => [m.code, m.name]) },
      ],
      // One write: the group, its coverage of the building, its members and its leader, or
      // (refused) none of them.
      send: (v) => send("ConsoleCreateOrganisation", "createOrganisation", { ...v, leader: v.leader || null, kind: "GROUP", covers: [building.code] }),
      done: (p) => {
        const leader = p.organisation.leader;
        const said = [t("gap.groupCreated", { building: building.name, group: p.organisation.name }), t("gap.placed", { n: p.organisation.members.totalCount })];
        if (leader) said.push(t("gap.leader", { name: leader.name }));
        return this.closed(said.join("；"));
      },
    });
    clear(
      this.element,
      this.header(building, "BUILDING_WITHOUT_GROUP", closedBy),
      this.residents(building).element,
      branches.length ? this.writable(assign, create) : el("p", { class: "error", "data-role": "no-branch" }, t("gap.noBranch"), " ", el("a", { href: `#/gap/${encodeURIComponent(estate.code)}` }, t("gap.act"))),
    );
  }

  async estate(estate) {
    const community = estate.parent;
    const committees = (community?.coveredBy.nodes ?? []).filter((o) => HOLDS_BRANCHES.has(o.kind));
    const found = await Promise.all(committees.map((c) => gql("ConsoleGapOrganisations", { within: c.code, kind: "BRANCH" })));
    const branches = found.flatMap((d) => d.organisations.nodes);
    const closedBy = estate.coveredBy.nodes.filter((o) => HOLDS_GROUPS.has(o.kind));
    const assign = mutationForm({
      id: "assign-branch",
      title: t("gap.assignBranch"),
      intro: t("gap.assignBranchIntro", { name: estate.name }),
      fields: [
        {
          name: "organisation",
          label: t("gap.branch"),
          type: "select",
          required: true,
          options: branches.map((b) => [b.code, `${b.name}（${b.covers.nodes.map((p) => p.name).join("、") || t("cov.none")}）`]),
        },
        { name: "on", label: t("edit.on"), type: "date", value: today() },
      ],
      send: (v) => {
        const branch = branches.find((b) => b.code === v.organisation);
        return send("ConsoleSetCoverage", "setCoverage", { organisation: v.organisation, cover: [estate.code], on: v.on, expectedVersion: branch?.version ?? null });
      },
      reload: () => this.load(this.code),
      done: (p) => this.closed(t("gap.branchAssigned", { estate: estate.name, branch: p.organisation.code })),
    });
    const create = mutationForm({
      id: "create-branch",
      title: t("gap.createBranch"),
      intro: t("gap.createBranchIntro"),
      fields: [
        { name: "parent", label: t("gap.committee"), type: committees.length ? "select" : "text", required: true, options: committees.map((c) => [c.code, c.name]) },
        { name: "code", label: t("cov.code"), required: true, value: `${estate.code}-ZB` },
        { name: "name", label: t("edit.name"), required: true, value: `${estate.name}党支部` },
        { name: "established", label: t("edit.established"), type: "date", value: today() },
        { name: "approvedBy", label: t("edit.approvedBy"), hint: t("edit.approvedByParent") },
        { name: "approvedOn", label: t("edit.approvedOn"), type: "date", value: today() },
      ],
      send: (v) => send("ConsoleCreateOrganisation", "createOrganisation", { ...v, kind: "BRANCH", covers: [estate.code] }),
      done: (p) => this.closed(t("gap.branchCreated", { estate: estate.name, branch: p.organisation.name })),
    });
    clear(this.element, this.header(estate, "ESTATE_WITHOUT_BRANCH", closedBy), this.residents(estate).element, this.writable(assign, create));
  }
}
