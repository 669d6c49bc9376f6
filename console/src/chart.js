// The org chart: Apache ECharts' tree series over a model that loads lazily through the API
// (orgChart for the root and its children, orgChildren to expand, orgAncestors to centre on a
// search hit). An outline list mirrors the chart for keyboards, screen readers, phones (where it
// replaces the chart) and tests. Zoom out shrinks the boxes; collapse all folds back to the root.
import { TreeChart } from "echarts/charts";
import { TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { gql, gqlAll } from "./api.js";
import { clear, el, formatRatio } from "./dom.js";
import { label, t } from "./i18n.js";

echarts.use([TreeChart, TooltipComponent, SVGRenderer]);

const BOX = [224, 68];
const COLUMN = 300;
const ROW = 84;
const SCALES = [1, 0.8, 0.6, 0.45];

/** A group's leader (组长) and the members living in the buildings it covers: groups hold no
 * members of their own (members belong to branches), so those residents are its members. */
export function groupFacts(node) {
  if (node.kind !== "GROUP") return null;
  const leader = node.group?.leader ?? null;
  const members = node.group?.members?.totalCount ?? 0;
  return { leader, members };
}

/** The coverage that colours a box: the weaker of its estates and buildings (what to fix
 * first), with its noun; null when the organisation covers no territory. */
export function boxCoverage(node) {
  const tallies = [
    ["ESTATE", node.estates],
    ["BUILDING", node.buildings],
  ].filter(([, tally]) => tally.total);
  if (!tallies.length) return null;
  const [noun, tally] = tallies.reduce((a, b) => (b[1].ratio < a[1].ratio ? b : a));
  return { ...tally, noun };
}

/** The colours of a box: by its coverage, except that a group with no leader or no member is
 * never green (it covers its building on paper only). */
export function boxColour(node) {
  const group = groupFacts(node);
  if (group && (!group.leader || !group.members)) return { fill: "#fdecea", edge: "#c62828" };
  return coverageColour(boxCoverage(node));
}

export function coverageColour(tally) {
  if (!tally) return { fill: "#f1f1f1", edge: "#9e9e9e" };
  if (tally.ratio >= 0.9) return { fill: "#e6f4ea", edge: "#2e7d32" };
  if (tally.ratio >= 0.6) return { fill: "#fff6dc", edge: "#e0a100" };
  return { fill: "#fdecea", edge: "#c62828" };
}

class OrgModel {
  constructor() {
    this.nodes = new Map();
    this.rootCode = null;
  }

  put(api, parentCode) {
    const known = this.nodes.get(api.code);
    const entry = known || { children: null, expanded: false };
    entry.api = api;
    entry.parent = parentCode;
    this.nodes.set(api.code, entry);
    return entry;
  }

  get(code) {
    return this.nodes.get(code);
  }
}

export class OrgChartView {
  constructor(who, navigate) {
    this.who = who;
    this.navigate = navigate;
    this.model = new OrgModel();
    this.includeClosed = false;
    this.selected = null;
    this.chart = null;
    this.scale = 0;
    this.element = this.layout();
  }

  layout() {
    const roots = this.who.organisations;
    this.searchInput = el("input", {
      type: "search",
      name: "search",
      placeholder: t("chart.search"),
      "aria-label": t("chart.search"),
    });
    this.hits = el("ul", { class: "hits", "data-role": "hits" });
    this.details = el("div", { class: "details", "data-role": "details" });
    this.outline = el("ul", { class: "outline", "data-role": "outline" });
    this.canvas = el("div", { class: "chart-canvas", "data-role": "chart", role: "img", "aria-label": t("chart.canvas") });
    this.scroller = el("div", { class: "chart-scroll" }, this.canvas);
    this.zoomOut = el("button", { type: "button", "data-role": "zoom-out", onclick: () => this.zoom(1) }, t("chart.zoomOut"));
    this.zoomIn = el("button", { type: "button", "data-role": "zoom-in", onclick: () => this.zoom(-1) }, t("chart.zoomIn"));
    const tools = el(
      "div",
      { class: "chart-tools" },
      this.zoomOut,
      this.zoomIn,
      el("button", { type: "button", "data-role": "collapse-all", onclick: () => this.collapseAll() }, t("chart.collapseAll")),
    );
    this.rootSelect =
      roots.length > 1
        ? el(
            "select",
            { onchange: (e) => this.load(e.target.value), "aria-label": t("chart.outline") },
            roots.map((r) => el("option", { value: r.code }, r.name)),
          )
        : null;
    const legend = el(
      "div",
      { class: "legend" },
      el("span", {}, `${t("chart.legend")}:`),
      [
        ["≥ 90%", { ratio: 1 }],
        ["60–90%", { ratio: 0.7 }],
        ["< 60%", { ratio: 0 }],
        [t("chart.noTerritory"), null],
      ].map(([text, tally]) => {
        const colour = coverageColour(tally);
        return el("span", { class: "swatch", style: `background:${colour.fill};border-color:${colour.edge}` }, text);
      }),
    );
    return el(
      "div",
      { class: "chart-view" },
      el(
        "aside",
        { class: "sidebar" },
        el("h2", { class: "visually-hidden" }, t("title.chart")),
        this.rootSelect,
        el(
          "form",
          {
            class: "search",
            onsubmit: (e) => {
              e.preventDefault();
              this.search(this.searchInput.value.trim());
            },
          },
          this.searchInput,
          el("button", { type: "submit" }, t("chart.searchGo")),
        ),
        this.hits,
        el(
          "label",
          { class: "check" },
          el("input", {
            type: "checkbox",
            name: "includeClosed",
            onchange: (e) => {
              this.includeClosed = e.target.checked;
              this.load(this.model.rootCode);
            },
          }),
          t("chart.closed"),
        ),
        legend,
        tools,
        this.details,
        el("h3", {}, t("chart.outline")),
        this.outline,
      ),
      this.scroller,
    );
  }

  /** Load the chart from a root: the root and its children. */
  async load(rootCode) {
    this.model = new OrgModel();
    this.model.rootCode = rootCode;
    this.selected = rootCode;
    const data = await gql("ConsoleOrgChart", { root: rootCode, depth: 1, includeClosed: this.includeClosed });
    const nodes = data.orgChart?.nodes || [];
    for (const node of nodes) {
      const parent = node.code === rootCode ? null : this.codeOfId(node.parentId);
      this.model.put(node, parent);
    }
    const root = this.model.get(rootCode);
    if (root) {
      root.children = nodes.filter((n) => n.code !== rootCode).map((n) => n.code);
      root.expanded = true;
      await this.loadGroups(rootCode);
    }
    this.render();
    this.centre(rootCode);
  }

  codeOfId(id) {
    for (const entry of this.model.nodes.values()) if (entry.api.id === id) return entry.api.code;
    return null;
  }

  async expand(code) {
    const entry = this.model.get(code);
    if (!entry) return;
    if (entry.children === null) {
      const children = await gqlAll(
        "ConsoleOrgChildren",
        { parent: code, includeClosed: this.includeClosed },
        (d) => d.orgChildren,
      );
      entry.children = (children || []).map((child) => this.model.put(child, code).api.code);
      await this.loadGroups(code);
    }
    entry.expanded = true;
  }

  /** The leaders and members of the groups under `code`, if it has any. */
  async loadGroups(code) {
    const groups = (this.model.get(code)?.children ?? []).filter((c) => this.model.get(c).api.kind === "GROUP");
    if (!groups.length) return;
    const data = await gql("ConsoleGroups", { parent: code, includeClosed: this.includeClosed });
    for (const group of data.organisation?.groups.nodes ?? []) {
      const entry = this.model.get(group.code);
      if (entry) entry.api = { ...entry.api, group };
    }
  }

  async toggle(code) {
    const entry = this.model.get(code);
    if (!entry || !entry.api.hasChildren) return;
    if (entry.expanded) entry.expanded = false;
    else await this.expand(code);
    this.render();
    this.centre(code);
  }

  /** One step smaller (1) or larger (-1): more of the tree fits on the screen. */
  zoom(step) {
    this.scale = Math.min(SCALES.length - 1, Math.max(0, this.scale + step));
    this.render();
    this.centre(this.selected ?? this.model.rootCode);
  }

  /** Fold every branch back: only the root and its children stay open. */
  collapseAll() {
    for (const [code, entry] of this.model.nodes) entry.expanded = code === this.model.rootCode;
    this.selected = this.model.rootCode;
    this.render();
    this.centre(this.model.rootCode);
  }

  select(code) {
    this.selected = code;
    this.renderDetails();
    this.renderOutline();
  }

  async search(text) {
    clear(this.hits);
    if (!text) return;
    const data = await gql("ConsoleOrgSearch", {
      name: text,
      within: this.model.rootCode,
      status: this.includeClosed ? null : "ACTIVE",
    });
    const hits = data.organisations.nodes;
    if (!hits.length) {
      clear(this.hits, el("li", { class: "muted" }, t("chart.noHits")));
      return;
    }
    clear(
      this.hits,
      hits.map((hit) =>
        el(
          "li",
          {},
          el(
            "button",
            { type: "button", "data-code": hit.code, onclick: () => this.focus(hit.code) },
            hit.name,
            el("small", {}, ` ${label(hit.kind)}${hit.parent ? ` · ${hit.parent.name}` : ""}`),
          ),
        ),
      ),
    );
    if (hits.length === 1) await this.focus(hits[0].code);
  }

  /** Open the chain from the root to `code` and centre the chart on it. */
  async focus(code) {
    const data = await gql("ConsoleOrgAncestors", { of: code });
    const chain = data.orgAncestors || [];
    const start = chain.findIndex((n) => n.code === this.model.rootCode);
    for (const node of chain.slice(Math.max(start, 0), -1)) {
      if (!this.model.get(node.code)) return;
      await this.expand(node.code);
    }
    this.selected = code;
    this.render();
    this.centre(code);
  }

  /** Scroll the chart so that the node sits in the middle of the visible area. */
  centre(code) {
    const point = this.position(code);
    if (!point) return;
    this.scroller.scrollTo({
      left: Math.max(0, point[0] - this.scroller.clientWidth / 2),
      top: Math.max(0, point[1] - this.scroller.clientHeight / 2),
    });
    this.canvas.dataset.focus = code;
  }

  /** The node's centre in the chart canvas's pixels (also used by the browser tests). */
  position(code) {
    const series = this.chart?.getModel()?.getSeriesByIndex(0);
    if (!series?.coordinateSystem) return null;
    const data = series.getData();
    for (let i = 0; i < data.count(); i++) {
      if (data.getName(i) === code) {
        const layout = data.getItemLayout(i);
        return layout ? series.coordinateSystem.dataToPoint([layout.x, layout.y]) : null;
      }
    }
    return null;
  }

  treeData(code) {
    const entry = this.model.get(code);
    const node = entry.api;
    const colour = boxColour(node);
    const closed = node.status !== "ACTIVE";
    const selected = code === this.selected;
    return {
      name: code,
      api: node,
      collapsed: false,
      itemStyle: {
        color: closed ? "#eeeeee" : colour.fill,
        borderColor: selected ? "#0d47a1" : closed ? "#bdbdbd" : colour.edge,
        borderWidth: selected ? 3 : 1.5,
        borderType: closed ? "dashed" : "solid",
        opacity: closed ? 0.7 : 1,
      },
      children: entry.expanded && entry.children ? entry.children.map((c) => this.treeData(c)) : [],
    };
  }

  visibleShape(code, depth = 0) {
    const entry = this.model.get(code);
    const kids = entry.expanded && entry.children ? entry.children : [];
    if (!kids.length) return { leaves: 1, depth };
    return kids
      .map((c) => this.visibleShape(c, depth + 1))
      .reduce((a, b) => ({ leaves: a.leaves + b.leaves, depth: Math.max(a.depth, b.depth) }), { leaves: 0, depth });
  }

  /** Who leads the box: a group's leader (组长), else the secretary. */
  leaderText(node) {
    const group = groupFacts(node);
    if (group) return group.leader ? `${t("chart.leader")} ${group.leader.name}` : t("chart.noLeader");
    return node.secretary ? `${t("chart.secretary")} ${node.secretary.name}` : t("chart.noSecretary");
  }

  boxLabel(node) {
    const closed = node.status !== "ACTIVE" ? ` · ${label(node.status)}` : "";
    const secretary = this.leaderText(node);
    const tally = boxCoverage(node);
    const more = node.hasChildren ? `  ${node.childCount} ${t("chart.children")}` : "";
    const members = groupFacts(node)?.members ?? node.memberCount;
    return [
      `{kind|${label(node.kind)}${closed}}  {count|${t("chart.members")} ${members}}`,
      `{name|${node.name}}`,
      `{sec|${secretary}}  {cov|${tally ? `${label(tally.noun)} ${formatRatio(tally.ratio)}` : ""}}{more|${more}}`,
    ].join("\n");
  }

  render() {
    const root = this.model.rootCode && this.model.get(this.model.rootCode);
    if (!root) {
      clear(this.canvas, el("p", { class: "muted" }, t("chart.noHits")));
      return;
    }
    const shape = this.visibleShape(this.model.rootCode);
    const k = SCALES[this.scale];
    const box = [Math.round(BOX[0] * k), Math.round(BOX[1] * k)];
    const font = (size) => Math.max(7, Math.round(size * k));
    this.zoomOut.disabled = this.scale === SCALES.length - 1;
    this.zoomIn.disabled = this.scale === 0;
    this.canvas.dataset.scale = String(k);
    const width = Math.max(this.scroller.clientWidth || 800, (shape.depth + 1) * COLUMN * k + 120);
    const height = Math.max(this.scroller.clientHeight || 500, shape.leaves * ROW * k + 60);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    if (!this.chart) {
      this.chart = echarts.init(this.canvas, null, { renderer: "svg" });
      this.chart.on("click", (params) => {
        const code = params.data?.name;
        if (!code) return;
        this.select(code);
        this.toggle(code);
      });
    } else {
      this.chart.resize({ width, height });
    }
    this.chart.setOption(
      {
        animationDuration: 250,
        animationDurationUpdate: 250,
        tooltip: {
          trigger: "item",
          formatter: (p) => this.tooltip(p.data.api),
        },
        series: [
          {
            type: "tree",
            id: "orgs",
            data: [this.treeData(this.model.rootCode)],
            orient: "LR",
            left: box[0] / 2 + 10,
            right: box[0] / 2 + 10,
            top: box[1] / 2 + 10,
            bottom: box[1] / 2 + 10,
            symbol: "rect",
            symbolSize: box,
            expandAndCollapse: false,
            roam: false,
            lineStyle: { color: "#b0b7c3", width: 1.2, curveness: 0.4 },
            label: {
              position: "inside",
              align: "left",
              offset: [-box[0] / 2 + 8 * k, 0],
              formatter: (p) => this.boxLabel(p.data.api),
              rich: {
                kind: { fontSize: font(12), color: "#555" },
                count: { fontSize: font(12), color: "#555" },
                name: {
                  fontSize: font(14),
                  fontWeight: "bold",
                  color: "#222",
                  lineHeight: font(20),
                  width: box[0] - 16 * k,
                  overflow: "truncate",
                },
                sec: { fontSize: font(12), color: "#444" },
                cov: { fontSize: font(12), color: "#444", fontWeight: "bold" },
                more: { fontSize: font(12), color: "#0d47a1" },
              },
            },
            leaves: { label: { position: "inside" } },
            emphasis: { focus: "none" },
          },
        ],
      },
      { notMerge: true },
    );
    this.canvas.dataset.nodes = String(this.countVisible(this.model.rootCode));
    this.renderDetails();
    this.renderOutline();
  }

  countVisible(code) {
    const entry = this.model.get(code);
    const kids = entry.expanded && entry.children ? entry.children : [];
    return 1 + kids.reduce((sum, c) => sum + this.countVisible(c), 0);
  }

  tooltip(node) {
    const rows = [
      [t("chart.members"), node.memberCount],
      [t("chart.memberTotal"), node.memberTotal],
      [t("chart.reporting"), node.reportingCount],
      [t("chart.descendants"), node.descendantCount],
      [label("ESTATE"), `${node.estates.covered}/${node.estates.total} ${formatRatio(node.estates.ratio)}`],
      [label("BUILDING"), `${node.buildings.covered}/${node.buildings.total} ${formatRatio(node.buildings.ratio)}`],
    ];
    const escape = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    return (
      `<b>${escape(node.name)}</b><br>` +
      rows.map(([k, v]) => `${escape(k)}: ${escape(v)}`).join("<br>")
    );
  }

  renderDetails() {
    const entry = this.selected && this.model.get(this.selected);
    if (!entry) {
      clear(this.details);
      return;
    }
    const node = entry.api;
    const line = (key, value) => el("div", {}, el("span", { class: "k" }, key), el("span", { class: "v" }, value));
    clear(
      this.details,
      el("h3", { "data-code": node.code }, node.name),
      line(t("cov.kind"), `${label(node.kind)} · ${label(node.status)}`),
      line(t("cov.code"), node.code),
      groupFacts(node)
        ? line(t("chart.leader"), groupFacts(node).leader?.name || t("chart.noLeader"))
        : line(t("chart.secretary"), node.secretary?.name || t("chart.noSecretary")),
      groupFacts(node)
        ? line(t("chart.groupMembers"), groupFacts(node).members)
        : line(t("chart.members"), node.memberCount),
      line(t("chart.memberTotal"), node.memberTotal),
      line(t("chart.reporting"), node.reportingCount),
      line(t("chart.children"), `${node.childCount} / ${node.descendantCount}`),
      line(label("ESTATE"), `${node.estates.covered}/${node.estates.total} (${formatRatio(node.estates.ratio)})`),
      line(label("BUILDING"), `${node.buildings.covered}/${node.buildings.total} (${formatRatio(node.buildings.ratio)})`),
      el(
        "div",
        { class: "actions" },
        el("a", { href: `#/coverage/${encodeURIComponent(node.code)}` }, t("chart.openCoverage")),
        el("a", { href: `#/members/${encodeURIComponent(node.code)}` }, t("chart.openMembers")),
        el("a", { href: `#/edit/org/${encodeURIComponent(node.code)}`, "data-role": "to-edit" }, t("nav.edit")),
      ),
    );
  }

  renderOutline() {
    const item = (code) => {
      const entry = this.model.get(code);
      const node = entry.api;
      const toggle = node.hasChildren
        ? el(
            "button",
            {
              type: "button",
              class: "toggle",
              "data-toggle": code,
              "aria-expanded": entry.expanded ? "true" : "false",
              title: entry.expanded ? t("chart.collapse") : t("chart.expand"),
              onclick: () => this.toggle(code),
            },
            entry.expanded ? "▾" : "▸",
          )
        : el("span", { class: "toggle" }, "·");
      const kids = entry.expanded && entry.children ? entry.children : [];
      return el(
        "li",
        { "data-code": code, class: node.status !== "ACTIVE" ? "closed" : null },
        toggle,
        el(
          "button",
          {
            type: "button",
            class: code === this.selected ? "name selected" : "name",
            onclick: () => {
              this.select(code);
              this.centre(code);
            },
          },
          node.name,
        ),
        el(
          "small",
          { class: boxColour(node).edge === "#c62828" && groupFacts(node) ? "facts warn" : "facts" },
          `${this.leaderText(node)} · ${t("chart.members")} ${groupFacts(node)?.members ?? node.memberCount}`,
        ),
        kids.length ? el("ul", {}, kids.map(item)) : null,
      );
    };
    clear(this.outline, this.model.rootCode ? item(this.model.rootCode) : null);
  }

  dispose() {
    this.chart?.dispose();
    this.chart = null;
  }
}
