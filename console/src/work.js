// Work on an estate (#/work/CODE): who answers for it (the responsibility chain, gaps named),
// its household contacts (today's, and a proposal to preview and, for organisers, apply), its
// tasks with their mobilisation, the suggestions residents raised and what hangs on one member.
// Every table exports as .xlsx.
import { gql, gqlAll } from "./api.js";
import { clear, el, formatNumber, formatRatio } from "./dom.js";
import { announceChange } from "./forms.js";
import { errorText, label, skill, t } from "./i18n.js";
import { explanationText, reasonText, remember } from "./reasons.js";
import { dataTable } from "./table.js";

const OPEN_TASK = new Set(["PLANNED", "MOBILISING", "ACTIVE"]);
const SUGGESTION_STATUSES = ["OPEN", "IN_PROGRESS", "RESOLVED"];

/** A place shown with the names above it inside the estate: "9栋 2单元 801". */
function placePath(place, above = []) {
  if (!place) return null;
  const names = [];
  for (let p = place; p && !above.includes(p.name); p = p.parent) names.unshift(p.name);
  return names.join(" ") || place.name;
}

/** Days from one YYYY-MM-DD to another. */
function daysBetween(from, to) {
  if (!from || !to) return null;
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

/** Why nobody answers at a link of the chain, from its role and place (not the API's text). */
function chainGap(link) {
  if (!link.gap) return null;
  const place = `${label(link.place.kind)}${link.place.name}`;
  if (link.role === "leader pairing") return t("chainGap.pairing", { place });
  return t("chainGap.none", { place, role: t(`chain.${link.role}`) });
}

function person(member, hidden) {
  if (member) return member.name;
  return hidden ? t("work.hidden") : null;
}

export class WorkView {
  constructor(who, navigate) {
    this.who = who;
    this.navigate = navigate;
    this.element = el("div", { class: "work-view" });
  }

  async load(estate) {
    if (!estate) return this.picker();
    clear(this.element, el("p", { class: "muted" }, t("loading")));
    const [data, chain, suggestions, current] = await Promise.all([
      gql("ConsoleWork", { estate }),
      gql("ConsoleChain", { place: estate }),
      gqlAll("ConsoleSuggestions", { scope: estate }, (d) => d.suggestions),
      // Today's contacts: the kept and ended pairings of a fresh proposal (it writes nothing).
      gql("ConsoleProposeHouseholdContacts", { scope: estate }),
    ]);
    if (!data.place || !data.coverage) {
      clear(this.element, el("p", { class: "error" }, `${t("chart.noHits")}: ${estate}`));
      return;
    }
    this.estate = data.place;
    this.data = data;
    remember("place", data.place, data.place.parent, ...(chain.responsibilityChain ?? []).map((link) => link.place));
    remember("place", ...data.tasks.nodes.flatMap((task) => [...task.places, ...task.assignments.map((a) => a.building)]));
    remember("member", ...data.tasks.nodes.flatMap((task) => task.assignments.map((a) => a.member)));
    remember("task", ...data.tasks.nodes);
    this.proposalSection = el("div", { "data-role": "proposal" });
    this.chainSection = el("div", { "data-role": "chain" }, this.chainTable(chain.responsibilityChain, data.place).element);
    this.mobilisationSection = el("div", { "data-role": "mobilisation" });
    const proposal = current.proposeHouseholdContacts.proposal;
    clear(
      this.element,
      this.header(data.place),
      el("div", { class: "grid2" }, this.chainSection, this.figures(data.coverage).element),
      this.chainPicker(),
      el("h3", { class: "section" }, t("work.contacts")),
      this.currentContacts(proposal).element,
      this.contactActions(),
      this.proposalSection,
      el("h3", { class: "section" }, t("work.tasks")),
      // The work loop (tasks-work.js): a new task, and the estate's leader pairings and hubs.
      el(
        "div",
        { class: "actions-bar" },
        el("a", { href: `#/task/new/${encodeURIComponent(data.place.code)}`, "data-role": "new-task" }, t("loop.createTask")),
        el("a", { href: `#/pairings/${encodeURIComponent(data.place.code)}`, "data-role": "to-pairings" }, t("loop.pairings")),
      ),
      this.tasks(data.tasks.nodes).element,
      this.assignments(data.tasks.nodes).element,
      this.mobilisationSection,
      el("h3", { class: "section" }, t("work.suggestions")),
      this.suggestions(suggestions ?? []).element,
      el("h3", { class: "section" }, t("work.resilience")),
      this.singlePoints(data.singlePointsOfFailure).element,
    );
  }

  /** Names above the estate's buildings (the estate and its community), left out of paths. */
  above() {
    return [this.estate.name, this.estate.parent?.name].filter(Boolean);
  }

  async picker() {
    const within = this.who.places[0]?.code ?? null;
    const results = el("div", { "data-role": "estate-hits" });
    const input = el("input", { name: "estate", placeholder: t("work.searchEstate") });
    const search = async () => {
      const data = await gql("ConsoleEstateSearch", { name: input.value.trim() || null, within });
      results.replaceChildren(
        dataTable({
          id: "work-estates",
          title: t("work.estates"),
          note: `${data.places.totalCount}`,
          columns: [
            { key: "code", label: t("cov.code") },
            { key: "name", label: t("cov.place") },
            { key: "community", label: t("work.community"), value: (r) => r.parent?.name ?? null },
          ],
          rows: data.places.nodes,
          onRowClick: (row) => this.navigate(`#/work/${encodeURIComponent(row.code)}`),
          filename: `${t("work.estates")}.xlsx`,
        }).element,
      );
    };
    clear(
      this.element,
      el(
        "form",
        {
          class: "scope-bar estate-search",
          onsubmit: (event) => {
            event.preventDefault();
            search();
          },
        },
        el("h2", {}, t("nav.work")),
        input,
        el("button", { type: "submit" }, t("chart.searchGo")),
      ),
      results,
    );
    await search();
  }

  header(place) {
    const up = place.parent;
    return el(
      "div",
      { class: "scope-bar" },
      el(
        "nav",
        { class: "crumbs" },
        up ? el("a", { href: `#/coverage/${encodeURIComponent(up.code)}` }, `↑ ${up.name}`) : null,
        el("h2", { "data-work": place.code }, place.name),
        el("span", { class: "badge" }, `${t("nav.work")} · ${label(place.kind)} · ${place.code}`),
        el("a", { href: `#/coverage/${encodeURIComponent(place.code)}`, "data-role": "to-coverage" }, t("work.toCoverage")),
      ),
      this.who.masksPhones ? el("span", { class: "badge", "data-role": "masked" }, t("mem.masked")) : null,
    );
  }

  figures(coverage) {
    const h = coverage.households;
    const s = coverage.suggestions;
    const rows = [
      { code: "households.total", label: t("work.fig.households"), value: h.total },
      { code: "households.covered", label: t("work.fig.householdsCovered"), value: h.covered },
      { code: "households.ratio", label: t("work.fig.householdsRatio"), value: h.ratio, ratio: true },
      { code: "suggestions.raised", label: t("work.fig.raised"), value: s.raised },
      { code: "suggestions.resolved", label: t("work.fig.resolved"), value: s.resolved },
      { code: "suggestions.ratio", label: t("work.fig.resolvedRatio"), value: s.ratio, ratio: true },
      { code: "suggestions.median", label: t("work.fig.median"), value: s.medianDaysToResolve },
    ];
    return dataTable({
      id: "work-figures",
      title: t("work.figures"),
      columns: [
        { key: "label", label: t("cov.indicator") },
        {
          key: "value",
          label: t("cov.value"),
          numeric: true,
          display: (r) => (r.ratio ? formatRatio(r.value) : formatNumber(r.value, 1)),
        },
      ],
      rows,
      filename: `${t("work.figures")}-${this.estate.name}.xlsx`,
    });
  }

  chainTable(links, place) {
    // The API lists the chain bottom to top; the console shows who answers last at the top.
    const rows = [...(links ?? [])].reverse().map((link, i) => ({ ...link, step: i + 1 }));
    const table = dataTable({
      id: "work-chain",
      title: `${t("work.chain")} · ${place.name}`,
      note: rows.some((r) => r.gap) ? t("work.chainGaps", { n: rows.filter((r) => r.gap).length }) : null,
      columns: [
        { key: "role", label: t("work.role"), value: (r) => t(`chain.${r.role}`) },
        { key: "member", label: t("work.who"), value: (r) => person(r.member, r.hidden) },
        { key: "phone", label: t("mem.phone"), value: (r) => r.member?.phone ?? null },
        { key: "organisation", label: t("cov.organisation"), value: (r) => r.organisation?.name ?? null },
        { key: "place", label: t("cov.place"), value: (r) => r.place.name },
        { key: "gap", label: t("work.gap"), value: (r) => chainGap(r) },
      ],
      rows,
      rowClass: (r) => (r.gap ? "gap" : null),
      filename: `${t("work.chain")}-${place.name}.xlsx`,
    });
    return table;
  }

  chainPicker() {
    const input = el("input", { name: "chain-place", placeholder: `${this.estate.code}-B01` });
    const message = el("span", { class: "error" });
    return el(
      "form",
      {
        class: "chain-picker",
        onsubmit: async (event) => {
          event.preventDefault();
          message.textContent = "";
          const code = input.value.trim() || this.estate.code;
          const data = await gql("ConsoleChain", { place: code }).catch((e) => ({ error: e }));
          if (!data.responsibilityChain) {
            message.textContent = `${t("chart.noHits")}: ${code}`;
            return;
          }
          remember("place", ...data.responsibilityChain.map((link) => link.place));
          const asked = data.responsibilityChain[0]?.place ?? { name: code };
          this.chainSection.replaceChildren(this.chainTable(data.responsibilityChain, asked).element);
        },
      },
      el("label", {}, `${t("work.chainOf")}: `, input),
      el("button", { type: "submit" }, t("chart.searchGo")),
      message,
    );
  }

  currentContacts(proposal) {
    const byMember = new Map();
    const add = (member, household) => {
      const key = member?.code ?? "";
      const entry = byMember.get(key) ?? { member, households: [], buildings: new Set() };
      entry.households.push(household.code);
      if (household.parent?.parent) entry.buildings.add(household.parent.parent.name);
      byMember.set(key, entry);
    };
    for (const p of proposal?.pairings ?? []) if (p.kept) add(p.member, p.household);
    for (const r of proposal?.removed ?? []) add(r.member, r.household);
    const rows = [...byMember.values()].map((e) => ({
      code: e.member?.code ?? null,
      name: person(e.member, true),
      phone: e.member?.phone ?? null,
      count: e.households.length,
      buildings: [...e.buildings].join("、"),
    }));
    const paired = rows.reduce((sum, r) => sum + r.count, 0);
    return dataTable({
      id: "work-contacts",
      title: t("work.currentContacts"),
      note: t("work.currentNote", { members: rows.length, households: paired }),
      columns: [
        { key: "code", label: t("cov.code") },
        { key: "name", label: t("mem.name") },
        { key: "phone", label: t("mem.phone") },
        { key: "count", label: t("work.householdCount"), numeric: true },
        { key: "buildings", label: t("work.buildings") },
      ],
      rows,
      filename: `${t("work.currentContacts")}-${this.estate.name}.xlsx`,
    });
  }

  contactActions() {
    const capacity = el("input", { type: "number", min: 1, max: 200, name: "capacity", placeholder: "k", class: "small" });
    const button = el(
      "button",
      {
        type: "button",
        "data-role": "propose-contacts",
        onclick: async () => {
          button.disabled = true;
          try {
            await this.propose(capacity.value ? Number(capacity.value) : null);
          } finally {
            button.disabled = false;
          }
        },
      },
      t("work.propose"),
    );
    return el("div", { class: "actions-bar" }, el("label", {}, `${t("work.capacity")} `, capacity), button, el("span", { class: "muted" }, t("work.proposeNote")));
  }

  async propose(capacity) {
    clear(this.proposalSection, el("p", { class: "muted" }, t("loading")));
    const data = await gql("ConsoleProposeHouseholdContacts", { scope: this.estate.code, capacity });
    const answer = data.proposeHouseholdContacts;
    if (answer.userErrors.length) {
      clear(this.proposalSection, el("p", { class: "error", role: "alert" }, answer.userErrors.map(errorText).join("；")));
      return;
    }
    const proposal = answer.proposal;
    remember("place", ...proposal.pairings.map((p) => p.household), ...proposal.unpaired.map((u) => u.household));
    remember("member", ...proposal.pairings.map((p) => p.member), ...proposal.removed.flatMap((r) => [r.member, r.newMember]));
    const applyResult = el("span", { "data-role": "apply-result" });
    const apply = this.who.canWrite
      ? el(
          "button",
          {
            type: "button",
            class: "primary",
            "data-role": "apply-contacts",
            onclick: async () => {
              if (!window.confirm(t("work.applyConfirm", { n: proposal.pairings.length }))) return;
              apply.disabled = true;
              const result = await gql("ConsoleApplyHouseholdContacts", {
                scope: this.estate.code,
                capacity,
                expectedProposal: proposal.fingerprint,
              });
              const applied = result.applyHouseholdContacts;
              if (applied.userErrors.length) {
                apply.disabled = false;
                applyResult.className = "error";
                applyResult.textContent = applied.userErrors.map(errorText).join("；");
                return;
              }
              announceChange();
              await this.load(this.estate.code);
              const done = this.element.querySelector("[data-role=proposal]");
              done?.replaceChildren(
                el("p", { class: "ok", "data-role": "applied", tabindex: "-1", role: "status" }, t("work.applied", applied.applied)),
              );
              // The confirmation is where the user looks next.
              done?.querySelector("[data-role=applied]")?.focus();
            },
          },
          t("work.apply"),
        )
      : null;
    const summary = [
      { code: "pairings", label: t("work.p.pairings"), value: proposal.pairings.length },
      { code: "kept", label: t("work.p.kept"), value: proposal.keptCount },
      { code: "added", label: t("work.p.added"), value: proposal.addedCount },
      { code: "removed", label: t("work.p.removed"), value: proposal.removedCount },
      { code: "changed", label: t("work.p.changed"), value: proposal.changedCount },
      { code: "unpaired", label: t("work.p.unpaired"), value: proposal.unpaired.length },
      { code: "cost", label: t("work.p.cost"), value: proposal.totalCost },
      { code: "capacity", label: t("work.capacity"), value: proposal.capacities.map((c) => c.capacity).join(", ") },
    ];
    const perMember = new Map();
    for (const p of proposal.pairings) {
      const key = p.member?.code ?? "";
      const entry = perMember.get(key) ?? { member: p.member, count: 0, kept: 0, relations: {} };
      entry.count += 1;
      if (p.kept) entry.kept += 1;
      entry.relations[p.relation] = (entry.relations[p.relation] ?? 0) + 1;
      perMember.set(key, entry);
    }
    const relationText = (relations) =>
      Object.entries(relations)
        .map(([relation, n]) => `${t(`explain.${relation}`)} ${n}`)
        .join("、");
    clear(
      this.proposalSection,
      el(
        "div",
        { class: "actions-bar" },
        el("strong", {}, t("work.preview")),
        apply,
        this.who.canWrite ? null : el("span", { class: "muted", "data-role": "read-only" }, t("work.readOnly")),
        applyResult,
      ),
      el(
        "div",
        { class: "grid2" },
        dataTable({
          id: "work-proposal-summary",
          title: t("work.proposalSummary"),
          columns: [
            { key: "label", label: t("cov.indicator") },
            { key: "value", label: t("cov.value"), numeric: true },
          ],
          rows: summary,
          filename: `${t("work.proposalSummary")}-${this.estate.name}.xlsx`,
        }).element,
        dataTable({
          id: "work-proposal-members",
          title: t("work.proposalMembers"),
          note: `${perMember.size}`,
          columns: [
            { key: "code", label: t("cov.code"), value: (r) => r.member?.code ?? null },
            { key: "name", label: t("mem.name"), value: (r) => person(r.member, true) },
            { key: "count", label: t("work.householdCount"), numeric: true },
            { key: "kept", label: t("work.p.kept"), numeric: true },
            { key: "relations", label: t("work.relation"), value: (r) => relationText(r.relations) },
          ],
          rows: [...perMember.values()],
          filename: `${t("work.proposalMembers")}-${this.estate.name}.xlsx`,
        }).element,
      ),
      dataTable({
        id: "work-proposal",
        title: t("work.proposalPairings"),
        note: `${proposal.pairings.length}`,
        columns: [
          { key: "household", label: t("work.household"), value: (r) => r.household.code },
          { key: "where", label: t("cov.place"), value: (r) => placePath(r.household) },
          { key: "member", label: t("work.contactMember"), value: (r) => person(r.member, true) },
          { key: "relation", label: t("work.relation"), value: (r) => t(`explain.${r.relation}`) },
          { key: "cost", label: t("work.cost"), numeric: true },
          { key: "kept", label: t("work.kept"), value: (r) => (r.kept ? t("yes") : t("no")) },
          { key: "explanation", label: t("work.explanation"), value: (r) => explanationText(r.explanation) },
        ],
        rows: proposal.pairings,
        filename: `${t("work.proposalPairings")}-${this.estate.name}.xlsx`,
      }).element,
      dataTable({
        id: "work-unpaired",
        title: t("work.unpaired"),
        note: `${proposal.unpaired.length}`,
        columns: [
          { key: "household", label: t("work.household"), value: (r) => r.household.code },
          { key: "where", label: t("cov.place"), value: (r) => placePath(r.household) },
          { key: "reason", label: t("cov.reason"), value: (r) => reasonText(r.reason) },
        ],
        rows: proposal.unpaired,
        filename: `${t("work.unpaired")}-${this.estate.name}.xlsx`,
      }).element,
      proposal.removed.length
        ? dataTable({
            id: "work-removed",
            title: t("work.removed"),
            note: `${proposal.removed.length}`,
            columns: [
              { key: "household", label: t("work.household"), value: (r) => r.household.code },
              { key: "member", label: t("work.contactMember"), value: (r) => person(r.member, true) },
              { key: "newMember", label: t("work.newMember"), value: (r) => r.newMember?.name ?? null },
              { key: "reason", label: t("cov.reason"), value: (r) => reasonText(r.reason) },
            ],
            rows: proposal.removed,
            filename: `${t("work.removed")}-${this.estate.name}.xlsx`,
          }).element
        : null,
    );
    this.proposalSection.dataset.fingerprint = proposal.fingerprint;
  }

  tasks(tasks) {
    const open = tasks.filter((task) => OPEN_TASK.has(task.status));
    // Open tasks first, then the rest, each by start date.
    const rows = [...open, ...tasks.filter((task) => !OPEN_TASK.has(task.status))];
    return dataTable({
      id: "work-tasks",
      title: t("work.taskList"),
      note: t("work.openTasks", { open: open.length, total: tasks.length }),
      columns: [
        { key: "code", label: t("cov.code") },
        {
          key: "name",
          label: t("work.taskName"),
          // Each task's own page runs its loop (tasks-work.js).
          display: (r) => el("a", { href: `#/task/${encodeURIComponent(r.code)}`, "data-task-link": r.code, onclick: (e) => e.stopPropagation() }, r.name),
        },
        { key: "kind", label: t("cov.kind"), value: (r) => label(r.kind) },
        { key: "status", label: t("work.status"), value: (r) => label(`TASK_${r.status}`) },
        { key: "start", label: t("work.start") },
        { key: "end", label: t("work.end") },
        { key: "headcount", label: t("work.headcount"), numeric: true },
        {
          key: "skills",
          label: t("work.skills"),
          value: (r) => r.requiredSkills.map((s) => `${skill(s.skill)}×${s.count}`).join("、"),
        },
        { key: "organisation", label: t("cov.organisation"), value: (r) => r.organisation?.name ?? null },
        { key: "leader", label: t("work.leader"), value: (r) => r.leader?.name ?? null },
        {
          key: "accepted",
          label: t("work.accepted"),
          value: (r) => `${r.assignments.filter((a) => a.status === "ACCEPTED").length}/${r.assignments.length}`,
        },
        {
          key: "mobilise",
          label: t("work.mobilise"),
          value: () => null,
          display: (r) =>
            OPEN_TASK.has(r.status)
              ? el(
                  "button",
                  {
                    type: "button",
                    "data-mobilise": r.code,
                    onclick: (event) => {
                      event.stopPropagation();
                      this.mobilise(r);
                    },
                  },
                  t("work.previewMobilisation"),
                )
              : "—",
        },
      ],
      rows,
      filename: `${t("work.taskList")}-${this.estate.name}.xlsx`,
    });
  }

  assignments(tasks) {
    const rows = tasks.flatMap((task) => task.assignments.map((a) => ({ ...a, task })));
    return dataTable({
      id: "work-assignments",
      title: t("work.assignments"),
      note: `${rows.length}`,
      columns: [
        { key: "task", label: t("work.taskName"), value: (r) => r.task.name },
        { key: "member", label: t("work.who"), value: (r) => person(r.member, true) },
        { key: "phone", label: t("mem.phone"), value: (r) => r.member?.phone ?? null },
        { key: "role", label: t("work.role"), value: (r) => t(`assign.${r.role}`) },
        { key: "building", label: t("work.building"), value: (r) => r.building?.name ?? null },
        { key: "status", label: t("work.status"), value: (r) => label(`ASSIGN_${r.status}`) },
        { key: "proposedOn", label: t("work.proposedOn") },
        { key: "respondedOn", label: t("work.respondedOn") },
        { key: "override", label: t("work.override"), value: (r) => (r.override ? t("yes") : t("no")) },
        { key: "explanation", label: t("work.explanation"), value: (r) => explanationText(r.explanation) },
      ],
      rows,
      filename: `${t("work.assignments")}-${this.estate.name}.xlsx`,
    });
  }

  async mobilise(task) {
    clear(this.mobilisationSection, el("p", { class: "muted" }, t("loading")));
    const data = await gql("ConsoleProposeMobilisation", { task: task.code });
    const answer = data.proposeMobilisation;
    if (answer.userErrors.length) {
      clear(this.mobilisationSection, el("p", { class: "error", role: "alert" }, answer.userErrors.map(errorText).join("；")));
      return;
    }
    const plan = answer.plan;
    const taskNames = new Map(this.data.tasks.nodes.map((known) => [known.code, known.name]));
    remember("place", ...plan.choices.map((c) => c.building), ...plan.uncovered.map((u) => u.building));
    remember("member", ...plan.choices.map((c) => c.member));
    const shortfalls = [
      ...plan.skillShortfalls.map((s) => `${skill(s.skill)} ${s.found}/${s.needed}`),
      plan.headcountShortfall ? t("work.headcountShortfall", { n: plan.headcountShortfall }) : null,
    ].filter(Boolean);
    clear(
      this.mobilisationSection,
      dataTable({
        id: "work-mobilisation",
        title: `${t("work.mobilisationPlan")} · ${task.name}`,
        note: [t("work.keptAssignments", { n: plan.kept }), ...shortfalls].join(" · "),
        columns: [
          { key: "member", label: t("work.who"), value: (r) => r.member.name },
          { key: "phone", label: t("mem.phone"), value: (r) => r.member.phone ?? null },
          { key: "role", label: t("work.role"), value: (r) => t(`assign.${r.role}`) },
          { key: "building", label: t("work.building"), value: (r) => r.building?.name ?? null },
          { key: "skills", label: t("work.skills"), value: (r) => r.skills.map(skill).join("、") },
          {
            key: "override",
            label: t("work.override"),
            // The overlapping tasks by name where this estate's list knows them.
            value: (r) => (r.override ? r.overrideTasks.map((code) => taskNames.get(code) ?? code).join("、") : ""),
          },
          { key: "explanation", label: t("work.explanation"), value: (r) => explanationText(r.explanation) },
        ],
        rows: plan.choices,
        filename: `${t("work.mobilisationPlan")}-${task.code}.xlsx`,
      }).element,
      dataTable({
        id: "work-uncovered",
        title: t("work.uncovered"),
        note: `${plan.uncovered.length}`,
        columns: [
          { key: "code", label: t("cov.code"), value: (r) => r.building.code },
          { key: "building", label: t("work.building"), value: (r) => r.building.name },
          { key: "reason", label: t("cov.reason"), value: (r) => reasonText(r.reason) },
        ],
        rows: plan.uncovered,
        filename: `${t("work.uncovered")}-${task.code}.xlsx`,
      }).element,
    );
  }

  suggestions(items) {
    const counts = Object.fromEntries(SUGGESTION_STATUSES.map((s) => [s, 0]));
    for (const s of items) counts[s.status] = (counts[s.status] ?? 0) + 1;
    return dataTable({
      id: "work-suggestions",
      title: t("work.suggestionList"),
      note: SUGGESTION_STATUSES.map((s) => `${label(`SUGGESTION_${s}`)} ${counts[s]}`).join(" · "),
      columns: [
        { key: "code", label: t("cov.code") },
        { key: "category", label: t("work.category"), value: (r) => label(`CAT_${r.category}`) },
        { key: "text", label: t("work.text") },
        { key: "status", label: t("work.status"), value: (r) => label(`SUGGESTION_${r.status}`) },
        { key: "place", label: t("cov.place"), value: (r) => placePath(r.place, this.above()) },
        { key: "heardBy", label: t("work.heardBy"), value: (r) => r.heardBy?.name ?? null },
        { key: "raisedOn", label: t("work.raisedOn") },
        { key: "startedOn", label: t("work.startedOn") },
        { key: "resolvedOn", label: t("work.resolvedOn") },
        { key: "days", label: t("work.days"), value: (r) => daysBetween(r.raisedOn, r.resolvedOn), numeric: true },
        { key: "task", label: t("work.task"), value: (r) => r.task?.name ?? null },
      ],
      rows: items,
      filename: `${t("work.suggestionList")}-${this.estate.name}.xlsx`,
    });
  }

  singlePoints(points) {
    const rows = [
      ...(points?.buildings ?? []).map((p) => ({ ...p, kind: "BUILDING" })),
      ...(points?.households ?? []).map((p) => ({ ...p, kind: "HOUSEHOLD" })),
    ];
    return dataTable({
      id: "work-single-points",
      title: t("work.singlePoints"),
      note: t("work.singleNote", { b: points?.buildingCount ?? 0, h: points?.householdCount ?? 0 }),
      columns: [
        { key: "kind", label: t("cov.kind"), value: (r) => label(r.kind) },
        { key: "code", label: t("cov.code"), value: (r) => r.place.code },
        { key: "place", label: t("cov.place"), value: (r) => placePath(r.place) },
        { key: "member", label: t("work.onlyMember"), value: (r) => person(r.member, true) },
      ],
      rows,
      filename: `${t("work.singlePoints")}-${this.estate.name}.xlsx`,
    });
  }
}
