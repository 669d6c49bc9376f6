// Coverage and gaps of a scope (a place or an organisation): the figures with their raw counts,
// members, a drill-down (sub-district → community → estate → building, or the organisations
// below), the gaps with their reasons and the rule violations. Every table exports as .xlsx.
import { downloadCoverage, gql, gqlAll, graphql } from "./api.js";
import { clear, el, formatNumber } from "./dom.js";
import { gapLink } from "./gaps.js";
import { label, t } from "./i18n.js";
import { dataTable } from "./table.js";

const NEXT_KIND = {
  DISTRICT: "SUBDISTRICT",
  SUBDISTRICT: "COMMUNITY",
  COMMUNITY: "ESTATE",
  GRID: "ESTATE",
  ESTATE: "BUILDING",
};
const TALLIES = ["estates", "buildings", "buildingsWithMembers", "households"];
const BATCH = 20;

/** A rule violation in words, from its rule, the figures it rests on and whom it names (the
 * API's own message is English). */
function violationText(v) {
  const figures = Object.fromEntries((v.details ?? []).map((f) => [f.name, f.value]));
  return t(`rule.${v.rule}`, {
    ...figures,
    org: v.organisation?.name ?? "",
    member: v.member?.name ?? "",
    since: v.since ?? "",
  });
}

/** Coverage of many scopes in one request, aliased (c0, c1, ...), in batches. */
async function coverageOfMany(codes) {
  const results = {};
  for (let i = 0; i < codes.length; i += BATCH) {
    const batch = codes.slice(i, i + BATCH);
    const tally = "{ total covered ratio }";
    const fields = `estates ${tally} buildings ${tally} buildingsWithMembers ${tally} households ${tally} members { total }`;
    const query =
      `query ConsoleCoverageBatch(${batch.map((_, j) => `$s${j}: String!`).join(", ")}) {\n` +
      batch.map((_, j) => `  c${j}: coverage(scope: $s${j}) { ${fields} }`).join("\n") +
      "\n}";
    const variables = Object.fromEntries(batch.map((code, j) => [`s${j}`, code]));
    const data = await graphql(query, variables, "ConsoleCoverageBatch");
    batch.forEach((code, j) => {
      results[code] = data[`c${j}`];
    });
  }
  return results;
}

function tallyColumns(prefix = "") {
  return TALLIES.flatMap((key) => [
    {
      key: `${key}.covered`,
      label: `${prefix}${t(`cov.short.${key}`)} ${t("cov.covered")}`,
      value: (r) => r.coverage?.[key]?.covered,
      numeric: true,
    },
    { key: `${key}.total`, label: `${prefix}${t(`cov.short.${key}`)} ${t("cov.total")}`, value: (r) => r.coverage?.[key]?.total, numeric: true },
    { key: `${key}.ratio`, label: `${prefix}${t(`cov.short.${key}`)} ${t("cov.ratio")}`, value: (r) => r.coverage?.[key]?.ratio, percent: true },
  ]);
}

/** A link from an estate's row to its work view (not exported: value is null). */
function workColumn() {
  return {
    key: "work",
    label: t("nav.work"),
    value: () => null,
    display: (r) =>
      el(
        "a",
        { href: `#/work/${encodeURIComponent(r.code)}`, "data-work-link": r.code, onclick: (e) => e.stopPropagation() },
        t("work.open"),
      ),
  };
}

export class CoverageView {
  constructor(who, navigate) {
    this.who = who;
    this.navigate = navigate;
    this.element = el("div", { class: "coverage-view" });
  }

  defaultScope() {
    return this.who.places[0]?.code || this.who.organisations[0]?.code;
  }

  async load(scope) {
    scope = scope || this.defaultScope();
    clear(this.element, el("p", { class: "muted" }, t("loading")));
    const data = await gql("ConsoleCoverage", { scope });
    const report = data.coverage;
    if (!report) {
      clear(this.element, el("p", { class: "error" }, `${t("chart.noHits")}: ${scope}`));
      return;
    }
    this.scope = scope;
    const subject = report.place || report.organisation;
    const drill = await this.drillDown(report);
    clear(
      this.element,
      this.header(report, subject),
      el("div", { class: "grid2" }, this.figures(report, subject).element, this.memberFigures(report, subject).element),
      this.suggestionFigures(report, subject).element,
      drill ? drill.element : null,
      this.gaps(report, subject).element,
      this.violations(report, subject).element,
    );
  }

  header(report, subject) {
    const picks = [...this.who.places, ...this.who.organisations];
    const up = report.place?.parent;
    return el(
      "div",
      { class: "scope-bar" },
      el(
        "nav",
        { class: "crumbs" },
        up ? el("a", { href: `#/coverage/${encodeURIComponent(up.code)}`, "data-up": up.code }, `↑ ${up.name}`) : null,
        el("h2", { "data-scope": subject.code }, subject.name),
        el("span", { class: "badge" }, `${label(report.kind)} · ${label(subject.kind)} · ${subject.code}`),
        report.place?.kind === "ESTATE"
          ? el("a", { href: `#/work/${encodeURIComponent(subject.code)}`, "data-role": "to-work" }, `${t("work.open")} →`)
          : null,
      ),
      el(
        "label",
        {},
        `${t("cov.pick")}: `,
        el(
          "select",
          { name: "scope", onchange: (e) => this.navigate(`#/coverage/${encodeURIComponent(e.target.value)}`) },
          el("option", { value: "" }, "—"),
          picks.map((p) => el("option", { value: p.code }, `${p.name} (${label(p.kind.toUpperCase())})`)),
        ),
      ),
    );
  }

  figures(report, subject) {
    const rows = TALLIES.map((key) => ({ key, label: t(`cov.${key}`), ...report[key] }));
    return dataTable({
      id: "coverage-figures",
      title: t("cov.figures"),
      columns: [
        { key: "label", label: t("cov.indicator") },
        { key: "covered", label: t("cov.covered"), numeric: true },
        { key: "total", label: t("cov.total"), numeric: true },
        { key: "ratio", label: t("cov.ratio"), percent: true },
      ],
      rows,
      // The whole report, recomputed by the server exactly as `gridreg export coverage` does.
      exportAs: () => downloadCoverage(this.scope, `覆盖情况-${subject.name}.xlsx`),
    });
  }

  memberFigures(report, subject) {
    const m = report.members;
    const rows = [
      { key: "total", label: t("cov.membersTotal"), value: m.total },
      { key: "full", label: t("cov.full"), value: m.full },
      { key: "probationary", label: t("cov.probationary"), value: m.probationary },
      { key: "inService", label: t("cov.inService"), value: m.inService },
      { key: "membersLiving", label: t("cov.membersLiving"), value: report.membersLiving },
      { key: "per100", label: t("cov.per100"), value: report.membersPer100Households },
    ];
    return dataTable({
      id: "coverage-members",
      title: t("cov.members"),
      columns: [
        { key: "label", label: t("cov.indicator") },
        { key: "value", label: t("cov.value"), numeric: true, display: (r) => formatNumber(r.value, r.key === "per100" ? 1 : 0) },
      ],
      rows,
      filename: `${t("cov.members")}-${subject.name}.xlsx`,
    });
  }

  suggestionFigures(report, subject) {
    const s = report.suggestions;
    return dataTable({
      id: "coverage-suggestions",
      title: t("work.suggestionList"),
      columns: [
        { key: "raised", label: t("work.fig.raised"), numeric: true },
        { key: "resolved", label: t("work.fig.resolved"), numeric: true },
        { key: "ratio", label: t("work.fig.resolvedRatio"), percent: true },
        { key: "medianDaysToResolve", label: t("work.fig.median"), numeric: true },
      ],
      rows: [{ ...s, code: subject.code }],
      filename: `${t("work.suggestionList")}-${subject.name}.xlsx`,
    });
  }

  async drillDown(report) {
    if (report.place) {
      const next = NEXT_KIND[report.place.kind];
      if (!next) return null;
      const places = await gqlAll("ConsolePlaces", { within: report.place.code, kind: next }, (d) => d.places);
      const coverage = await coverageOfMany(places.map((p) => p.code));
      const rows = places.map((p) => ({ ...p, coverage: coverage[p.code] }));
      return dataTable({
        id: "coverage-drill",
        title: `${t("cov.drill")} · ${label(next)}`,
        columns: [
          { key: "code", label: t("cov.code") },
          { key: "name", label: t("cov.place") },
          ...tallyColumns(),
          { key: "members", label: t("cov.membersTotal"), value: (r) => r.coverage?.members.total, numeric: true },
          ...(next === "ESTATE" ? [workColumn()] : []),
        ],
        rows,
        onRowClick: (row) => this.navigate(`#/coverage/${encodeURIComponent(row.code)}`),
        filename: `${t("cov.drill")}-${report.place.name}.xlsx`,
      });
    }
    const children = await gqlAll(
      "ConsoleOrgChildren",
      { parent: report.organisation.code, includeClosed: false },
      (d) => d.orgChildren,
    );
    if (!children?.length) return null;
    const rows = children.map((c) => ({ ...c, coverage: { estates: c.estates, buildings: c.buildings } }));
    return dataTable({
      id: "coverage-drill",
      title: t("cov.childOrgs"),
      columns: [
        { key: "code", label: t("cov.code") },
        { key: "name", label: t("cov.organisation") },
        { key: "kind", label: t("cov.kind"), value: (r) => label(r.kind) },
        { key: "secretary", label: t("chart.secretary"), value: (r) => r.secretary?.name ?? null },
        { key: "memberTotal", label: t("chart.memberTotal"), numeric: true },
        ...tallyColumns().filter((c) => c.key.startsWith("estates") || c.key.startsWith("buildings.")),
      ],
      rows,
      onRowClick: (row) => this.navigate(`#/coverage/${encodeURIComponent(row.code)}`),
      filename: `${t("cov.childOrgs")}-${report.organisation.name}.xlsx`,
    });
  }

  gaps(report, subject) {
    const items = report.gaps.items;
    return dataTable({
      id: "coverage-gaps",
      title: t("cov.gaps"),
      note: items.length < report.gaps.totalCount ? t("cov.shown", { n: items.length, total: report.gaps.totalCount }) : `${report.gaps.totalCount}`,
      columns: [
        { key: "kind", label: t("cov.gapKind"), value: (r) => label(r.kind) },
        { key: "code", label: t("cov.code"), value: (r) => r.place.code },
        { key: "place", label: t("cov.place"), value: (r) => [r.place.parent?.name, r.place.name].filter(Boolean).join(" ") },
        { key: "placeKind", label: t("cov.kind"), value: (r) => label(r.place.kind) },
        { key: "reason", label: t("cov.reason"), value: (r) => t(`gap.${r.kind}`) },
        // A link on every row: the gaps can be walked and acted on by keyboard.
        { key: "act", label: t("gap.column"), value: () => null, display: (r) => gapLink(r) },
      ],
      rows: items.map((g) => ({ ...g, code: g.place.code })),
      onRowClick: (row) => this.navigate(`#/coverage/${encodeURIComponent(row.place.code)}`),
      filename: `${t("cov.gaps")}-${subject.name}.xlsx`,
    });
  }

  violations(report, subject) {
    const shown = report.violations.length;
    return dataTable({
      id: "coverage-violations",
      title: t("cov.violations"),
      // The first 500, as the gaps: a city's report holds tens of thousands.
      note: shown < report.violationCount ? t("cov.shown", { n: shown, total: report.violationCount }) : `${report.violationCount}`,
      columns: [
        { key: "rule", label: t("cov.rule"), value: (r) => label(r.rule) },
        { key: "severity", label: t("cov.severity"), value: (r) => label(r.severity) },
        { key: "organisation", label: t("cov.organisation"), value: (r) => r.organisation?.name ?? null },
        { key: "member", label: t("cov.member"), value: (r) => r.member?.name ?? null },
        { key: "since", label: t("cov.since") },
        { key: "message", label: t("cov.message"), value: violationText },
      ],
      rows: report.violations,
      filename: `${t("cov.violations")}-${subject.name}.xlsx`,
    });
  }
}

