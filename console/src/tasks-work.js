// The work loop. A task (#/task/CODE, or #/task/new/ESTATE to create one): its mobilisation
// previewed and applied, members' answers recorded (a decline re-plans only the gap it leaves),
// and its accepted members formed into a functional organisation. An estate's or community's
// leader pairings and hub households (#/pairings/SCOPE), previewed and applied as household
// contacts are. Every apply sends the fingerprint of the plan shown (STALE if the registry
// changed since), and its confirmation takes the focus.
import { gql } from "./api.js";
import { clear, el } from "./dom.js";
import { announceChange, confirmation, errorText, mutationForm, today } from "./forms.js";
import { label, skill, t } from "./i18n.js";
import { dataTable } from "./table.js";
import { explanationText, reasonText, remember } from "./reasons.js";

const TASK_KINDS = ["DOOR_TO_DOOR_VISITS", "OWNERS_COMMITTEE_ELECTION_PREPARATION", "PROPERTY_COMPANY_SELECTION", "REPAIR_FOLLOW_UP", "OWNERS_GROUP_NOTICES", "OTHER"];

let pending = null;

/** "law:2 publicity" → [{skill: "law", count: 2}, {skill: "publicity", count: 1}]. */
function skillCounts(text) {
  return (text || "")
    .split(/[\s,;，；、]+/)
    .filter(Boolean)
    .map((part) => {
      const [name, count] = part.split(/[:：×x]/);
      return { skill: name, count: count ? Number(count) : 1 };
    });
}

/** A refusal of an apply or answer, in the console's language, with a reload on STALE. */
function refusal(errors, reload) {
  return el(
    "div",
    { class: "error", role: "alert", "data-role": "refusal" },
    errors.map((e) =>
      el(
        "p",
        { "data-code": e.code },
        errorText(e),
        " ",
        e.code === "STALE" ? el("button", { type: "button", "data-role": "reload", onclick: reload }, t("form.reload")) : null,
      ),
    ),
  );
}

/** A button that runs `work` once at a time. */
function action(text, role, work, primary = false) {
  const button = el(
    "button",
    {
      type: "button",
      class: primary ? "primary" : null,
      "data-role": role,
      onclick: async () => {
        button.disabled = true;
        // The last write's confirmation is not about this one.
        for (const note of document.querySelectorAll("[data-role=done]")) note.remove();
        try {
          await work();
        } finally {
          button.disabled = false;
        }
      },
    },
    text,
  );
  return button;
}

class LoopView {
  constructor(who, navigate) {
    this.who = who;
    this.navigate = navigate;
    this.element = el("div", { class: "loop-view work-view" });
  }

  /** Reload, then show `text` first, where the focus goes. */
  async done(text) {
    announceChange();
    pending = text;
    await this.load(...this.args);
  }

  showPending() {
    if (pending) {
      this.element.prepend(confirmation(pending));
      pending = null;
    }
  }
}

export class TaskView extends LoopView {
  async load(code, estate) {
    this.args = [code, estate];
    clear(this.element, el("p", { class: "muted" }, t("loading")));
    if (code === "new") this.create(estate);
    else await this.task(code);
    this.showPending();
  }

  create(estate) {
    const form = mutationForm({
      id: "create-task",
      title: t("loop.createTask"),
      fields: [
        { name: "code", label: t("cov.code"), required: true, value: estate ? `${estate}-T${Date.now().toString(36).slice(-4).toUpperCase()}` : "" },
        { name: "kind", label: t("cov.kind"), type: "select", required: true, options: TASK_KINDS.map((k) => [k, label(k)]) },
        { name: "name", label: t("work.taskName"), required: true },
        { name: "organisation", label: t("loop.organisation"), required: true },
        { name: "places", label: t("loop.places"), type: "codes", value: estate, required: true, hint: t("edit.codesHint") },
        { name: "start", label: t("work.start"), type: "date", value: today(), required: true },
        { name: "end", label: t("work.end"), type: "date", required: true },
        { name: "headcount", label: t("work.headcount"), type: "number", min: 0, value: 0 },
        { name: "skills", label: t("work.skills"), hint: t("loop.skillsHint") },
        { name: "leader", label: t("loop.leaderCode") },
      ],
      send: async (v) =>
        (await gql("ConsoleCreateTask", { input: { ...v, places: v.places ?? [], headcount: v.headcount ?? 0, skills: skillCounts(v.skills) } })).createTask,
      done: (p) => {
        pending = t("loop.created", { name: p.task.name });
        this.navigate(`#/task/${encodeURIComponent(p.task.code)}`);
      },
    });
    clear(
      this.element,
      el("div", { class: "scope-bar" }, estate ? el("a", { href: `#/work/${encodeURIComponent(estate)}` }, `↑ ${t("nav.work")}`) : null, el("h2", {}, t("loop.createTask"))),
      this.who.canWrite ? form.element : el("p", { class: "muted", "data-role": "read-only" }, t("edit.readOnly")),
    );
  }

  async task(code) {
    const task = (await gql("ConsoleTask", { code })).task;
    if (!task) {
      clear(this.element, el("p", { class: "error" }, `${t("chart.noHits")}: ${code}`));
      return;
    }
    this.current = task;
    remember("place", ...task.places, ...task.assignments.map((a) => a.building));
    remember("member", ...task.assignments.map((a) => a.member));
    this.planSection = el("div", { "data-role": "mobilisation" });
    const estate = task.places.find((p) => p.kind === "ESTATE");
    const accepted = task.assignments.filter((a) => a.status === "ACCEPTED");
    clear(
      this.element,
      el(
        "div",
        { class: "scope-bar" },
        el("nav", { class: "crumbs" }, estate ? el("a", { href: `#/work/${encodeURIComponent(estate.code)}` }, `↑ ${estate.name}`) : null, el("h2", { "data-task": task.code }, task.name)),
        el("span", { class: "badge", "data-role": "task-status" }, `${label(task.kind)} · ${label(`TASK_${task.status}`)} · ${task.code}`),
      ),
      el(
        "dl",
        { class: "fact-list card" },
        [
          [t("cov.organisation"), task.organisation?.name],
          [t("work.leader"), task.leader?.name],
          [t("loop.scope"), task.places.map((p) => p.name).join("、")],
          [t("loop.window"), `${task.start} — ${task.end}`],
          [t("work.headcount"), String(task.headcount)],
          [t("work.skills"), task.requiredSkills.map((s) => `${skill(s.skill)}×${s.count}`).join("、") || t("cov.none")],
          [t("work.accepted"), `${accepted.length}/${task.assignments.length}`],
        ].map(([k, v]) => [el("dt", {}, k), el("dd", {}, v ?? "—")]),
      ),
      el("h3", { class: "section" }, t("loop.mobilisation")),
      el("div", { class: "actions-bar" }, action(t("work.previewMobilisation"), "preview-mobilisation", () => this.preview(task))),
      this.planSection,
      el("h3", { class: "section" }, t("work.assignments")),
      this.answers(task).element,
      el("h3", { class: "section" }, t("loop.functional")),
      this.functional(task, accepted),
    );
  }

  async preview(task) {
    clear(this.planSection, el("p", { class: "muted" }, t("loading")));
    const answer = (await gql("ConsoleProposeMobilisation", { task: task.code })).proposeMobilisation;
    if (answer.userErrors.length) return clear(this.planSection, refusal(answer.userErrors, () => this.load(...this.args)));
    const plan = answer.plan;
    remember("place", ...plan.choices.map((c) => c.building), ...plan.uncovered.map((u) => u.building));
    remember("member", ...plan.choices.map((c) => c.member));
    const apply = this.who.canWrite
      ? action(
          t("loop.applyMobilisation", { n: plan.choices.length }),
          "apply-mobilisation",
          async () => {
            const result = (
              await gql("ConsoleApplyMobilisation", { input: { task: task.code, expectedProposal: plan.fingerprint, expectedVersion: task.version } })
            ).applyMobilisation;
            if (result.userErrors.length) return this.planSection.prepend(refusal(result.userErrors, () => this.load(...this.args)));
            await this.done(t("loop.mobilised", { n: result.assignments.length }));
          },
          true,
        )
      : el("span", { class: "muted", "data-role": "read-only" }, t("work.readOnly"));
    clear(
      this.planSection,
      el("div", { class: "actions-bar" }, el("strong", {}, t("loop.preview")), apply, el("span", { class: "muted" }, t("work.keptAssignments", { n: plan.kept }))),
      dataTable({
        id: "loop-plan",
        title: t("work.mobilisationPlan"),
        note: `${plan.choices.length}`,
        columns: [
          { key: "code", label: t("cov.code"), value: (r) => r.member.code },
          { key: "member", label: t("work.who"), value: (r) => r.member.name },
          { key: "role", label: t("work.role"), value: (r) => t(`assign.${r.role}`) },
          { key: "building", label: t("work.building"), value: (r) => r.building?.name ?? null },
          { key: "skills", label: t("work.skills"), value: (r) => r.skills.map(skill).join("、") },
          { key: "explanation", label: t("work.explanation"), value: (r) => explanationText(r.explanation) },
        ],
        rows: plan.choices.map((c) => ({ ...c, code: c.member.code })),
        filename: `${t("work.mobilisationPlan")}-${task.code}.xlsx`,
      }).element,
      plan.uncovered.length
        ? dataTable({
            id: "loop-uncovered",
            title: t("work.uncovered"),
            note: `${plan.uncovered.length}`,
            columns: [
              { key: "building", label: t("work.building"), value: (r) => r.building.name },
              { key: "reason", label: t("cov.reason"), value: (r) => reasonText(r.reason) },
            ],
            rows: plan.uncovered,
            filename: `${t("work.uncovered")}-${task.code}.xlsx`,
          }).element
        : null,
    );
  }

  async respond(assignment, response) {
    const result = (await gql("ConsoleRespondToAssignment", { input: { assignment: assignment.id, response } })).respondToAssignment;
    if (result.userErrors.length) return this.element.prepend(refusal(result.userErrors, () => this.load(...this.args)));
    const name = assignment.member?.name ?? "";
    if (response === "ACCEPT") return this.done(t("loop.accepted", { name }));
    const instead = result.replacements.map((r) => r.member?.name).filter(Boolean);
    await this.done(instead.length ? t("loop.declinedReplanned", { name, names: instead.join("、") }) : t("loop.declinedNone", { name }));
  }

  answers(task) {
    return dataTable({
      id: "loop-assignments",
      title: t("work.assignments"),
      note: `${task.assignments.length}`,
      columns: [
        { key: "code", label: t("cov.code"), value: (r) => r.member?.code ?? null },
        { key: "member", label: t("work.who"), value: (r) => r.member?.name ?? t("work.hidden") },
        { key: "building", label: t("work.building"), value: (r) => r.building?.name ?? null },
        { key: "status", label: t("work.status"), value: (r) => label(`ASSIGN_${r.status}`) },
        { key: "proposedOn", label: t("work.proposedOn") },
        { key: "respondedOn", label: t("work.respondedOn") },
        {
          key: "answer",
          label: t("loop.answer"),
          value: () => null,
          display: (r) =>
            r.status === "PROPOSED" && this.who.canWrite
              ? el(
                  "span",
                  { class: "actions-bar" },
                  action(t("loop.accept"), "accept", () => this.respond(r, "ACCEPT")),
                  action(t("loop.decline"), "decline", () => this.respond(r, "DECLINE")),
                )
              : "—",
        },
      ],
      rows: task.assignments.map((a) => ({ ...a, code: a.member?.code ?? a.id })),
      filename: `${t("work.assignments")}-${task.code}.xlsx`,
    });
  }

  functional(task, accepted) {
    if (!this.who.canWrite) return el("p", { class: "muted", "data-role": "read-only" }, t("edit.readOnly"));
    return mutationForm({
      id: "form-functional",
      title: t("loop.formFunctional"),
      intro: t("loop.functionalIntro", { n: accepted.length }),
      fields: [
        { name: "code", label: t("cov.code"), required: true, value: `${task.code}-GN` },
        { name: "name", label: t("edit.name"), required: true, value: `${task.name}功能型党支部` },
        { name: "parent", label: t("edit.parentCode"), value: task.organisation?.code },
        { name: "approvedBy", label: t("edit.approvedBy"), hint: t("edit.approvedByParent") },
        { name: "on", label: t("edit.on"), type: "date", value: today() },
      ],
      send: async (v) => (await gql("ConsoleFormFunctionalOrganisation", { input: { task: task.code, ...v } })).formFunctionalOrganisation,
      done: (p) => this.done(t("loop.formed", { name: p.organisation.name, n: p.members.length })),
    }).element;
  }
}

export class PairingsView extends LoopView {
  async load(scope) {
    this.args = [scope];
    this.scope = scope;
    this.leaderSection = el("div", { "data-role": "leader-pairings" });
    this.hubSection = el("div", { "data-role": "hub-households" });
    const place = (await gql("ConsoleGapPlace", { code: scope })).place;
    const capacity = el("input", { type: "number", min: 1, max: 20, name: "capacity", value: 3, class: "small", "aria-label": t("loop.capacity") });
    const reach = el("input", { type: "number", min: 1, max: 50, name: "maxReach", value: 10, class: "small", "aria-label": t("loop.maxReach") });
    clear(
      this.element,
      el(
        "div",
        { class: "scope-bar" },
        el("a", { href: `#/work/${encodeURIComponent(scope)}` }, `↑ ${t("nav.work")}`),
        el("h2", { "data-pairings": scope }, `${t("loop.pairings")} · ${place?.name ?? ""}`),
        el("span", { class: "badge" }, scope),
      ),
      el("h3", { class: "section" }, t("loop.leaderPairings")),
      el(
        "div",
        { class: "actions-bar" },
        el("label", {}, `${t("loop.capacity")} `, capacity),
        action(t("work.propose"), "propose-leaders", () => this.leaders(Number(capacity.value) || 3)),
      ),
      this.leaderSection,
      el("h3", { class: "section" }, t("loop.hubs")),
      el(
        "div",
        { class: "actions-bar" },
        el("label", {}, `${t("loop.maxReach")} `, reach),
        action(t("work.propose"), "propose-hubs", () => this.hubs(Number(reach.value) || 10)),
      ),
      this.hubSection,
    );
    this.showPending();
  }

  /** Preview a plan in `section`, with an apply button that stores exactly what is shown. */
  show(section, { summary, tables, apply, role }) {
    const button = this.who.canWrite
      ? action(t("work.apply"), role, async () => {
          const result = await apply();
          if (result.userErrors.length) return section.prepend(refusal(result.userErrors, () => this.load(this.scope)));
          await this.done(t("loop.applied", result.applied));
        }, true)
      : el("span", { class: "muted", "data-role": "read-only" }, t("work.readOnly"));
    clear(section, el("div", { class: "actions-bar" }, el("strong", {}, t("loop.preview")), button, el("span", { class: "muted", "data-role": "summary" }, summary)), tables);
  }

  async leaders(capacity) {
    const answer = (await gql("ConsoleProposeLeaderPairings", { scope: this.scope, capacity })).proposeLeaderPairings;
    if (answer.userErrors.length) return clear(this.leaderSection, refusal(answer.userErrors, () => this.load(this.scope)));
    const p = answer.proposal;
    remember("place", ...(p.pairings ?? []).map((r) => r.place), ...(p.unpaired ?? []).map((r) => r.place), ...(p.unreached ?? []).flatMap((r) => [r.household, r.household.parent, r.household.parent?.parent]), ...(p.hubs ?? []).map((r) => r.building));
    remember("member", ...(p.pairings ?? []).map((r) => r.leader), ...(p.hubs ?? []).map((r) => r.member));
    this.show(this.leaderSection, {
      role: "apply-leaders",
      summary: t("loop.leaderSummary", { n: p.pairings.length, kept: p.keptCount, added: p.addedCount, released: p.releasedCount }),
      apply: async () => (await gql("ConsoleApplyLeaderPairings", { scope: this.scope, capacity, expectedProposal: p.fingerprint })).applyLeaderPairings,
      tables: [
        dataTable({
          id: "loop-leaders",
          title: t("loop.leaderPairings"),
          note: `${p.pairings.length}`,
          columns: [
            { key: "place", label: t("cov.place"), value: (r) => r.place.name },
            { key: "kind", label: t("cov.kind"), value: (r) => label(r.place.kind) },
            { key: "leader", label: t("loop.leader"), value: (r) => r.leader?.name ?? t("work.hidden") },
            { key: "load", label: t("loop.load"), numeric: true },
            { key: "kept", label: t("work.kept"), value: (r) => (r.kept ? t("yes") : t("no")) },
            { key: "explanation", label: t("work.explanation"), value: (r) => explanationText(r.explanation) },
          ],
          rows: p.pairings.map((r) => ({ ...r, code: r.place.code })),
          filename: `${t("loop.leaderPairings")}-${this.scope}.xlsx`,
        }).element,
        p.unpaired.length
          ? dataTable({
              id: "loop-leaders-unpaired",
              title: t("loop.unpairedPlaces"),
              note: `${p.unpaired.length}`,
              columns: [
                { key: "place", label: t("cov.place"), value: (r) => r.place.name },
                { key: "reason", label: t("cov.reason"), value: (r) => reasonText(r.reason) },
              ],
              rows: p.unpaired,
              filename: `${t("loop.unpairedPlaces")}-${this.scope}.xlsx`,
            }).element
          : null,
      ],
    });
  }

  async hubs(maxReach) {
    const answer = (await gql("ConsoleProposeHubHouseholds", { scope: this.scope, maxReach })).proposeHubHouseholds;
    if (answer.userErrors.length) return clear(this.hubSection, refusal(answer.userErrors, () => this.load(this.scope)));
    const p = answer.proposal;
    remember("place", ...(p.pairings ?? []).map((r) => r.place), ...(p.unpaired ?? []).map((r) => r.place), ...(p.unreached ?? []).flatMap((r) => [r.household, r.household.parent, r.household.parent?.parent]), ...(p.hubs ?? []).map((r) => r.building));
    remember("member", ...(p.pairings ?? []).map((r) => r.leader), ...(p.hubs ?? []).map((r) => r.member));
    this.show(this.hubSection, {
      role: "apply-hubs",
      summary: t("loop.hubSummary", { n: p.hubs.length, kept: p.keptCount, added: p.addedCount, removed: p.removedCount, unreached: p.unreached.length }),
      apply: async () => (await gql("ConsoleApplyHubHouseholds", { scope: this.scope, maxReach, expectedProposal: p.fingerprint })).applyHubHouseholds,
      tables: [
        dataTable({
          id: "loop-hubs",
          title: t("loop.hubs"),
          note: `${p.hubs.length}`,
          columns: [
            { key: "building", label: t("work.building"), value: (r) => r.building.name },
            { key: "household", label: t("work.household"), value: (r) => [r.household.parent?.name, r.household.name].filter(Boolean).join(" ") },
            { key: "member", label: t("work.who"), value: (r) => r.member?.name ?? t("work.hidden") },
            { key: "reach", label: t("loop.reach"), value: (r) => r.reachCount, numeric: true },
            { key: "kept", label: t("work.kept"), value: (r) => (r.kept ? t("yes") : t("no")) },
          ],
          rows: p.hubs.map((r) => ({ ...r, code: r.household.code })),
          filename: `${t("loop.hubs")}-${this.scope}.xlsx`,
        }).element,
      ],
    });
  }
}
