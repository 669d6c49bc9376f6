// Editing the registry (#/edit, #/edit/org/CODE, #/edit/place/CODE, #/edit/member/ID): what an
// organisation, place or member holds now, and beside it every form that changes it — create,
// edit and move; coverage; offices; merge and split (previewed, then confirmed); dissolve;
// members created, edited, transferred and confirmed, and their standing recorded (lost contact,
// suspended, left, died) and restored. Each write sends the version the page was
// loaded at; after it the page reloads and the confirmation takes the focus.
import { gql } from "./api.js";
import { clear, el } from "./dom.js";
import { confirmation, mutationForm, today } from "./forms.js";
import { label, t } from "./i18n.js";

const ORG_KINDS = ["WORKING_COMMITTEE", "PARTY_COMMITTEE", "GENERAL_BRANCH", "BRANCH", "GROUP", "FUNCTIONAL", "DISTRICT_COMMITTEE"];
const PLACE_KINDS = ["DISTRICT", "SUBDISTRICT", "COMMUNITY", "GRID", "ESTATE", "BUILDING", "UNIT", "HOUSEHOLD"];
const ROLES = ["SECRETARY", "DEPUTY_SECRETARY", "COMMITTEE_MEMBER", "GROUP_LEADER"];
const STANDINGS = ["LOST_CONTACT", "SUSPENDED", "LEFT", "DIED"];
const LEAVING_WAYS = ["WITHDREW", "STRUCK_OFF", "EXPELLED"];
const RESTORABLE = ["LOST_CONTACT", "SUSPENDED"];
// The kind of place usually made under each kind (the form's first choice).
const CHILD_PLACE = { DISTRICT: "SUBDISTRICT", SUBDISTRICT: "COMMUNITY", COMMUNITY: "ESTATE", GRID: "ESTATE", ESTATE: "BUILDING", BUILDING: "UNIT", UNIT: "HOUSEHOLD" };
const CHILD_ORG = { WORKING_COMMITTEE: "PARTY_COMMITTEE", PARTY_COMMITTEE: "BRANCH", GENERAL_BRANCH: "BRANCH", BRANCH: "GROUP", DISTRICT_COMMITTEE: "WORKING_COMMITTEE" };

// A confirmation waiting for the page a write led to (a new route makes a new view).
let pending = null;

const ordered = (list, first) => [first, ...list.filter((k) => k !== first)].filter(Boolean);
const kinds = (list, first) => ordered(list, first).map((k) => [k, label(k)]);
const named = (thing) => (thing ? `${thing.name}（${thing.code}）` : "—");

/** Send one mutation with its input; answer its payload. */
async function send(operation, field, input) {
  return (await gql(operation, { input }))[field];
}

/** Only the fields the user changed: the API leaves out what is null. */
function changed(values, before) {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === (before[k] ?? null) ? null : v]));
}

function facts(rows) {
  return el(
    "dl",
    { class: "fact-list" },
    rows.filter(Boolean).map(([key, value]) => [el("dt", {}, key), el("dd", {}, value ?? "—")]),
  );
}

/** A standing as read: its kind (and how one left), since when, and until when if restored. */
function standingText(standing) {
  if (!standing) return t("edit.goodStanding");
  const kind = standing.way ? `${label(standing.kind)}（${label(standing.way)}）` : label(standing.kind);
  if (standing.restoredOn) return t("edit.standingUntil", { standing: kind, on: standing.on, until: standing.restoredOn });
  // Leaving and death happen on a day; lost contact and a suspension last from it.
  if (!RESTORABLE.includes(standing.kind)) return t("edit.standingAt", { standing: kind, on: standing.on });
  return t("edit.standingSince", { standing: kind, on: standing.on });
}

/** A placement in a Party group: the group, from when (if known) and until when. */
function placementText(placement) {
  const group = placement.group ? placement.group.name : "—";
  return t("edit.placement", { group, start: placement.start ?? t("mem.reportedUnknown"), end: placement.end ?? t("edit.placementNow") });
}

/** Where a member away from home is, and what they attend there. */
function awayText(member) {
  if (!member.awaySince) return t("edit.awayNone");
  const attends = member.awayAttendsOrganisation ? named(member.awayAttendsOrganisation) : member.awayAttends ?? "—";
  return t("edit.awayText", { since: member.awaySince, place: member.awayPlace, attends });
}

function links(items, href) {
  if (!items.length) return t("cov.none");
  return items.map((item, i) => [i ? "、" : "", el("a", { href: href(item) }, item.name)]);
}

export const orgHref = (code) => `#/edit/org/${encodeURIComponent(code)}`;
export const placeHref = (code) => `#/edit/place/${encodeURIComponent(code)}`;
export const memberHref = (id) => `#/edit/member/${encodeURIComponent(id)}`;

export class EditView {
  constructor(who, navigate) {
    this.who = who;
    this.navigate = navigate;
    this.element = el("div", { class: "edit-view" });
  }

  async load(kind, key) {
    this.kind = kind;
    this.key = key;
    clear(this.element, el("p", { class: "muted" }, t("loading")));
    if (kind === "org" && key) await this.organisation(key);
    else if (kind === "place" && key) await this.place(key);
    else if (kind === "member" && key) await this.member(key);
    else this.landing();
    if (pending) {
      this.element.prepend(confirmation(pending));
      pending = null;
    }
  }

  /** After a write: show `text` on `hash` (reloaded), where the focus goes. */
  async saved(text, hash) {
    pending = text;
    if (hash && hash !== window.location.hash) this.navigate(hash);
    else await this.load(this.kind, this.key);
  }

  reload() {
    return () => this.load(this.kind, this.key);
  }

  forms(...forms) {
    if (!this.who.canWrite) return el("p", { class: "muted", "data-role": "read-only" }, t("edit.readOnly"));
    return el("div", { class: "forms" }, forms.filter(Boolean).map((f) => f.element));
  }

  header(title, badge, ...extra) {
    return el(
      "div",
      { class: "scope-bar" },
      el("nav", { class: "crumbs" }, el("a", { href: "#/edit" }, `↑ ${t("nav.edit")}`), el("h2", { "data-edit": badge.code }, title)),
      el("span", { class: "badge" }, badge.text),
      extra,
    );
  }

  // ----- landing: open by code, create anything -----

  landing() {
    const code = el("input", { name: "code", placeholder: "CT-BS-JAMX", required: true, "aria-label": t("cov.code") });
    const which = el("select", { name: "what", "aria-label": t("cov.kind") }, el("option", { value: "org" }, t("edit.organisation")), el("option", { value: "place" }, t("edit.place")));
    clear(
      this.element,
      el("div", { class: "scope-bar" }, el("h2", {}, t("edit.title"))),
      el(
        "form",
        {
          class: "card actions-bar",
          "data-form": "open",
          onsubmit: (event) => {
            event.preventDefault();
            if (code.value.trim()) this.navigate((which.value === "org" ? orgHref : placeHref)(code.value.trim()));
          },
        },
        el("strong", {}, t("edit.open")),
        which,
        code,
        el("button", { type: "submit" }, t("chart.searchGo")),
      ),
      this.forms(this.createPlaceForm(null), this.createOrganisationForm(null), this.createMemberForm(null)),
    );
  }

  // ----- places -----

  async place(code) {
    const place = (await gql("ConsoleEditPlace", { code })).place;
    if (!place) {
      clear(this.element, el("p", { class: "error" }, `${t("chart.noHits")}: ${code}`));
      return;
    }
    this.current = place;
    const residents = place.residents.nodes;
    clear(
      this.element,
      this.header(place.name, { code: place.code, text: `${label(place.kind)} · ${place.code}` }, el("a", { href: `#/coverage/${encodeURIComponent(place.code)}` }, t("chart.openCoverage"))),
      el(
        "div",
        { class: "card" },
        facts([
          [t("edit.parent"), place.parent ? el("a", { href: placeHref(place.parent.code) }, named(place.parent)) : null],
          [t("edit.coveredBy"), links(place.coveredBy.nodes, (o) => orgHref(o.code))],
          [t("edit.children"), el("span", {}, `${place.children.totalCount}：`, links(place.children.nodes.slice(0, 30), (p) => placeHref(p.code)))],
          [t("edit.residents"), `${residents.length < place.residents.totalCount ? `${residents.length}/` : ""}${place.residents.totalCount}`],
        ]),
        residents.length
          ? el(
              "ul",
              { class: "people", "data-role": "residents" },
              residents.map((m) =>
                el("li", { "data-code": m.code }, el("a", { href: memberHref(m.id) }, m.name), ` ${label(m.status)} · ${m.household?.name ?? ""} · ${m.organisation?.name ?? t("edit.noOrganisation")}`),
              ),
            )
          : null,
      ),
      this.forms(this.updatePlaceForm(place), this.createPlaceForm(place)),
    );
  }

  updatePlaceForm(place) {
    const before = { name: place.name, parent: place.parent?.code ?? null };
    return mutationForm({
      id: "update-place",
      title: t("edit.updatePlace"),
      intro: t("edit.moveNote"),
      fields: [
        { name: "name", label: t("edit.name"), value: place.name, required: true },
        { name: "parent", label: t("edit.parentCode"), value: place.parent?.code },
      ],
      reload: this.reload(),
      send: (v) => send("ConsoleUpdatePlace", "updatePlace", { place: place.code, ...changed(v, before), expectedVersion: place.version }),
      done: (p) => this.saved(t("edit.saved", { name: p.place.name })),
    });
  }

  createPlaceForm(parent) {
    return mutationForm({
      id: "create-place",
      title: parent ? t("edit.createChildPlace") : t("edit.createPlace"),
      fields: [
        { name: "parent", label: t("edit.parentCode"), value: parent?.code },
        { name: "kind", label: t("cov.kind"), type: "select", required: true, options: kinds(PLACE_KINDS, CHILD_PLACE[parent?.kind]) },
        { name: "code", label: t("cov.code"), required: true, placeholder: parent ? `${parent.code}-…` : "" },
        { name: "name", label: t("edit.name"), required: true },
      ],
      send: (v) => send("ConsoleCreatePlace", "createPlace", v),
      done: (p) => this.saved(t("edit.created", { name: p.place.name }), placeHref(p.place.code)),
    });
  }

  // ----- organisations -----

  async organisation(code) {
    const org = (await gql("ConsoleEditOrganisation", { code })).organisation;
    if (!org) {
      clear(this.element, el("p", { class: "error" }, `${t("chart.noHits")}: ${code}`));
      return;
    }
    this.current = org;
    const active = org.status === "ACTIVE";
    clear(
      this.element,
      this.header(
        org.name,
        { code: org.code, text: `${label(org.kind)} · ${org.code} · ${label(org.status)}` },
        el("a", { href: `#/coverage/${encodeURIComponent(org.code)}` }, t("chart.openCoverage")),
        el("a", { href: `#/members/${encodeURIComponent(org.code)}` }, t("chart.openMembers")),
      ),
      el(
        "div",
        { class: "card", "data-role": "org-facts" },
        facts([
          [t("edit.parent"), org.parent ? el("a", { href: orgHref(org.parent.code) }, named(org.parent)) : null],
          [t("edit.established"), org.established],
          org.closedOn ? [t("edit.closedOn"), org.closedOn] : null,
          org.mergedInto ? [t("edit.mergedInto"), el("a", { href: orgHref(org.mergedInto.code) }, named(org.mergedInto))] : null,
          [t("edit.covers"), el("span", { "data-role": "covers" }, links(org.covers.nodes, (p) => placeHref(p.code)))],
          [t("edit.offices"), el("span", { "data-role": "offices" }, org.offices.nodes.length ? org.offices.nodes.map((o, i) => [i ? "、" : "", `${t(`role.${o.role}`)} `, el("a", { href: memberHref(o.member.id) }, o.member.name), ` (${o.start ?? ""})`]) : t("cov.none"))],
          [t("edit.groups"), links(org.groups.nodes, (g) => orgHref(g.code))],
          [t("edit.children"), links(org.children.nodes, (c) => orgHref(c.code))],
          [t("chart.members"), el("span", { "data-role": "member-count" }, String(org.members.totalCount))],
        ]),
        org.members.nodes.length
          ? el("details", {}, el("summary", {}, t("edit.memberList", { n: org.members.totalCount })), el("ul", { class: "people" }, org.members.nodes.map((m) => el("li", { "data-code": m.code }, el("a", { href: memberHref(m.id) }, m.name), ` ${label(m.status)} · ${m.household?.name ?? ""}`))))
          : null,
      ),
      active
        ? this.forms(
            this.updateOrganisationForm(org),
            this.coverageForm(org),
            this.appointForm(org),
            org.offices.nodes.length ? this.endOfficeForm(org.offices.nodes.map((o) => [o.id, `${t(`role.${o.role}`)} ${o.member.name}`])) : null,
            org.kind === "GROUP" ? null : this.createOrganisationForm(org),
            org.kind === "GROUP" ? null : this.createMemberForm(org),
            this.mergeForm(org),
            this.splitForm(org),
            this.dissolveForm(org),
          )
        : el("p", { class: "muted" }, t("edit.closed")),
    );
  }

  updateOrganisationForm(org) {
    const before = { name: org.name, parent: org.parent?.code ?? null, established: org.established ?? null };
    return mutationForm({
      id: "update-organisation",
      title: t("edit.updateOrganisation"),
      intro: t("edit.moveNote"),
      fields: [
        { name: "name", label: t("edit.name"), value: org.name, required: true },
        { name: "parent", label: t("edit.parentCode"), value: org.parent?.code },
        { name: "established", label: t("edit.established"), type: "date", value: org.established },
      ],
      reload: this.reload(),
      send: (v) => send("ConsoleUpdateOrganisation", "updateOrganisation", { organisation: org.code, ...changed(v, before), expectedVersion: org.version }),
      done: (p) => this.saved(t("edit.saved", { name: p.organisation.name })),
    });
  }

  coverageForm(org) {
    return mutationForm({
      id: "set-coverage",
      title: t("edit.setCoverage"),
      fields: [
        { name: "cover", label: t("edit.cover"), type: "codes", placeholder: "CT-BS-JAMX-B03", hint: t("edit.codesHint") },
        { name: "uncover", label: t("edit.uncover"), type: "checks", options: org.covers.nodes.map((p) => [p.code, `${p.name}（${p.code}）`]) },
        { name: "on", label: t("edit.on"), type: "date", value: today() },
      ],
      reload: this.reload(),
      send: (v) => send("ConsoleSetCoverage", "setCoverage", { organisation: org.code, cover: v.cover ?? [], uncover: v.uncover, on: v.on, expectedVersion: org.version }),
      done: (p) => this.saved(t("edit.coverageSet", { name: org.name, n: p.organisation.covers.nodes.length })),
    });
  }

  appointForm(org) {
    return mutationForm({
      id: "appoint-office",
      title: t("edit.appoint"),
      fields: [
        { name: "member", label: t("edit.memberCode"), required: true },
        { name: "role", label: t("edit.role"), type: "select", required: true, options: ordered(ROLES, org.kind === "GROUP" ? "GROUP_LEADER" : "SECRETARY").map((k) => [k, t(`role.${k}`)]) },
        { name: "start", label: t("edit.start"), type: "date", value: today() },
        { name: "replaceCurrent", label: t("edit.replaceCurrent"), type: "checkbox" },
      ],
      send: (v) => send("ConsoleAppointOffice", "appointOffice", { ...v, organisation: org.code }),
      done: (p) => this.saved(t("edit.appointed", { name: p.office.member.name, role: t(`role.${p.office.role}`) })),
    });
  }

  endOfficeForm(offices) {
    return mutationForm({
      id: "end-office",
      title: t("edit.endOffice"),
      fields: [
        { name: "office", label: t("edit.office"), type: "select", required: true, options: offices },
        { name: "end", label: t("edit.end"), type: "date", value: today() },
      ],
      send: (v) => send("ConsoleEndOffice", "endOffice", v),
      done: (p) => this.saved(t("edit.officeEnded", { role: t(`role.${p.office.role}`), end: p.office.end })),
    });
  }

  createOrganisationForm(parent) {
    return mutationForm({
      id: "create-organisation",
      title: parent ? t("edit.createChildOrganisation") : t("edit.createOrganisation"),
      fields: [
        { name: "parent", label: t("edit.parentCode"), value: parent?.code },
        { name: "kind", label: t("cov.kind"), type: "select", required: true, options: kinds(ORG_KINDS, CHILD_ORG[parent?.kind]) },
        { name: "code", label: t("cov.code"), required: true, placeholder: parent ? `${parent.code}-…` : "" },
        { name: "name", label: t("edit.name"), required: true },
        { name: "covers", label: t("edit.covers"), type: "codes", hint: t("edit.codesHint") },
        { name: "established", label: t("edit.established"), type: "date", value: today() },
        { name: "approvedBy", label: t("edit.approvedBy"), hint: t("edit.approvedByParent") },
        { name: "approvedOn", label: t("edit.approvedOn"), type: "date", value: today() },
      ],
      send: (v) => send("ConsoleCreateOrganisation", "createOrganisation", { ...v, covers: v.covers ?? [] }),
      done: (p) => this.saved(t("edit.created", { name: p.organisation.name }), orgHref(p.organisation.code)),
    });
  }

  /** Preview of a merge: what moves from the source into the survivor. */
  async mergePreview(org, values, form) {
    if (!values.into) return form.showErrors([{ field: "into", code: "INVALID", message: "name the branch to merge into" }]);
    const into = (await gql("ConsoleEditOrganisation", { code: values.into })).organisation;
    if (!into) return form.showErrors([{ field: "into", code: "NOT_FOUND", message: `no organisation ${values.into}` }]);
    this.intoVersion = into.version;
    const moving = [
      ["members", t("chart.members"), `${org.members.totalCount} → ${into.members.totalCount + org.members.totalCount}`],
      ["groups", t("edit.groups"), org.groups.nodes.map((g) => g.name).join("、") || t("cov.none")],
      ["covers", t("edit.covers"), org.covers.nodes.map((p) => p.name).join("、") || t("cov.none")],
      ["offices", t("edit.offices"), org.offices.nodes.map((o) => `${t(`role.${o.role}`)} ${o.member.name}`).join("、") || t("cov.none")],
    ];
    return el(
      "div",
      { "data-role": "merge-preview" },
      el("p", {}, t("edit.mergeSummary", { source: named(org), into: named(into) })),
      el(
        "table",
        {},
        el("thead", {}, el("tr", {}, el("th", {}, t("edit.what")), el("th", {}, t("edit.moves")))),
        el("tbody", {}, moving.map(([key, what, value]) => el("tr", { "data-code": key }, el("td", {}, what), el("td", { "data-key": "value" }, value)))),
      ),
      el("p", { class: "muted" }, t("edit.mergeAfter", { source: org.name })),
    );
  }

  mergeForm(org) {
    const form = mutationForm({
      id: "merge",
      title: t("edit.merge"),
      intro: t("edit.mergeIntro"),
      submitLabel: t("edit.preview"),
      confirmLabel: t("edit.confirmMerge"),
      fields: [
        { name: "into", label: t("edit.into"), required: true },
        { name: "approvedBy", label: t("edit.approvedBy"), required: true, value: org.parent?.code },
        { name: "approvedOn", label: t("edit.approvedOn"), type: "date", value: today() },
        { name: "message", label: t("edit.message"), type: "textarea" },
      ],
      reload: this.reload(),
      preview: (v) => this.mergePreview(org, v, form),
      send: (v) => send("ConsoleMergeOrganisations", "mergeOrganisations", { source: org.code, ...v, expectedVersion: org.version, intoExpectedVersion: this.intoVersion }),
      done: (p) =>
        this.saved(
          t("edit.merged", { source: org.name, into: p.survivor.name, members: p.survivor.members.totalCount, groups: p.survivor.groups.totalCount }),
          orgHref(p.survivor.code),
        ),
    });
    return form;
  }

  /** Split `org` into `parts` new organisations (the count is chosen above the form, which is
   * drawn again for it); each part takes the places, groups and members ticked for it. */
  splitForm(org, parts = 1) {
    const box = el("div", { "data-role": "split" });
    // Part 1's fields are code, name, ...; part n's code2 ... (as the API's into[n-1]).
    const suffix = (i) => (i ? String(i + 1) : "");
    const indexes = [...Array(parts).keys()];
    const count = el(
      "select",
      { id: "split-parts", "data-role": "split-parts", onchange: (e) => box.replaceWith(this.splitForm(org, Number(e.target.value)).element) },
      [1, 2, 3, 4].map((n) => el("option", { value: String(n), selected: n === parts || null }, String(n))),
    );
    const partFields = (i) => {
      const n = suffix(i);
      const heading = parts > 1 ? `${t("edit.splitPart", { n: i + 1 })} · ` : "";
      return [
        { name: `code${n}`, label: `${heading}${t("edit.newCode")}`, required: true, placeholder: `${org.code}-${i + 2}` },
        { name: `name${n}`, label: `${heading}${t("edit.newName")}`, required: true },
        { name: `covers${n}`, label: `${heading}${t("edit.takesPlaces")}`, type: "checks", options: org.covers.nodes.map((p) => [p.code, p.name]) },
        { name: `groups${n}`, label: `${heading}${t("edit.takesGroups")}`, type: "checks", options: org.groups.nodes.map((g) => [g.code, g.name]) },
        { name: `members${n}`, label: `${heading}${t("edit.takesMembers")}`, type: "checks", options: org.members.nodes.map((m) => [m.code, m.name]) },
      ];
    };
    const part = (v, i) => {
      const n = suffix(i);
      return { code: v[`code${n}`], name: v[`name${n}`], covers: v[`covers${n}`], groups: v[`groups${n}`], members: v[`members${n}`] };
    };
    const form = mutationForm({
      id: "split",
      title: t("edit.split"),
      intro: t("edit.splitIntro"),
      submitLabel: t("edit.preview"),
      confirmLabel: t("edit.confirmSplit"),
      fields: [
        ...indexes.flatMap(partFields),
        { name: "keepSource", label: t("edit.keepSource"), type: "checkbox", value: true },
        { name: "approvedBy", label: t("edit.approvedBy"), required: true, value: org.parent?.code },
        { name: "approvedOn", label: t("edit.approvedOn"), type: "date", value: today() },
        { name: "message", label: t("edit.message"), type: "textarea" },
      ],
      reload: this.reload(),
      // The API names a part's fields "into[1].members[3]" (part 2's members); "into" alone is
      // the first new code.
      fieldOf: (field) => {
        if (field === "into") return "code";
        const found = field.match(/^into\[(\d+)\]\.(\w+)/);
        return found ? `${found[2]}${suffix(Number(found[1]))}` : field;
      },
      preview: (v) => {
        const all = indexes.map((i) => part(v, i));
        const taken = (key) => all.flatMap((p) => p[key]);
        const names = (list, codes) => list.filter((x) => codes.includes(x.code)).map((x) => x.name).join("、") || t("cov.none");
        const stays = (list, key) => names(list, list.map((x) => x.code).filter((c) => !taken(key).includes(c)));
        const rows = [
          ["covers", t("edit.covers"), all.map((p) => names(org.covers.nodes, p.covers)), stays(org.covers.nodes, "covers")],
          ["groups", t("edit.groups"), all.map((p) => names(org.groups.nodes, p.groups)), stays(org.groups.nodes, "groups")],
          ["members", t("chart.members"), all.map((p) => String(p.members.length)), String(org.members.totalCount - taken("members").length)],
        ];
        return el(
          "div",
          { "data-role": "split-preview" },
          el(
            "table",
            {},
            el("thead", {}, el("tr", {}, el("th", {}, t("edit.what")), all.map((p) => el("th", {}, `${p.name ?? ""}（${p.code ?? ""}）`)), el("th", {}, v.keepSource ? org.name : t("edit.closes")))),
            el(
              "tbody",
              {},
              rows.map(([key, what, moves, kept]) =>
                el("tr", { "data-code": key }, el("td", {}, what), moves.map((m, i) => el("td", { "data-key": "moves", "data-part": String(i + 1) }, m)), el("td", { "data-key": "stays" }, kept)),
              ),
            ),
          ),
        );
      },
      send: (v) =>
        send("ConsoleSplitOrganisation", "splitOrganisation", {
          source: org.code,
          into: indexes.map((i) => part(v, i)),
          keepSource: v.keepSource,
          approvedBy: v.approvedBy,
          approvedOn: v.approvedOn,
          message: v.message,
          expectedVersion: org.version,
        }),
      done: (p) => this.saved(t("edit.splitDone", { names: p.created.map((c) => c.name).join("、") }), orgHref(p.created[0].code)),
    });
    box.append(el("div", { class: "field" }, el("label", { for: "split-parts" }, t("edit.splitParts")), count), form.element);
    return { element: box };
  }

  dissolveForm(org) {
    return mutationForm({
      id: "dissolve",
      title: t("edit.dissolve"),
      intro: t("edit.dissolveIntro"),
      submitLabel: t("edit.preview"),
      confirmLabel: t("edit.confirmDissolve"),
      fields: [
        { name: "approvedBy", label: t("edit.approvedBy"), required: true, value: org.parent?.code },
        { name: "approvedOn", label: t("edit.approvedOn"), type: "date", value: today() },
        { name: "message", label: t("edit.message"), type: "textarea" },
      ],
      reload: this.reload(),
      preview: () =>
        el("p", { "data-role": "dissolve-preview" }, t("edit.dissolveSummary", { name: named(org), members: org.members.totalCount, children: org.children.totalCount + org.groups.totalCount })),
      send: (v) => send("ConsoleDissolveOrganisation", "dissolveOrganisation", { organisation: org.code, ...v, expectedVersion: org.version }),
      done: () => this.saved(t("edit.dissolved", { name: org.name })),
    });
  }

  // ----- members -----

  createMemberForm(org) {
    return mutationForm({
      id: "create-member",
      title: org ? t("edit.createMemberIn", { name: org.name }) : t("edit.createMember"),
      intro: t("edit.inServiceNote"),
      fields: [
        { name: "code", label: t("cov.code"), required: true },
        { name: "name", label: t("mem.name"), required: true },
        { name: "status", label: t("mem.status"), type: "select", required: true, options: kinds(["FULL", "PROBATIONARY"]) },
        { name: "gender", label: t("mem.gender"), type: "select", options: kinds(["MALE", "FEMALE"]) },
        { name: "joined", label: t("mem.joined"), type: "date" },
        { name: "fullOn", label: t("edit.fullOn"), type: "date" },
        { name: "organisation", label: t("edit.organisationCode"), value: org?.code },
        { name: "group", label: t("edit.groupCode"), hint: t("edit.groupHint") },
        { name: "workplace", label: t("mem.workplace") },
        { name: "reportsTo", label: t("edit.reportsToCode") },
        { name: "reportedOn", label: t("mem.reportedOn"), type: "date" },
        { name: "household", label: t("edit.householdCode") },
        { name: "phone", label: t("mem.phone") },
        { name: "skills", label: t("mem.skills"), type: "codes", hint: t("edit.codesHint") },
      ],
      send: (v) => send("ConsoleCreateMember", "createMember", { ...v, skills: v.skills ?? [] }),
      done: (p) => this.saved(t("edit.created", { name: p.member.name }), memberHref(p.member.id)),
    });
  }

  async member(id) {
    const member = (await gql("ConsoleEditMember", { id })).node;
    if (!member?.code) {
      clear(this.element, el("p", { class: "error" }, `${t("chart.noHits")}: ${id}`));
      return;
    }
    this.current = member;
    clear(
      this.element,
      this.header(member.name, { code: member.code, text: `${t("cov.member")} · ${member.code} · ${label(member.status)}` }),
      el(
        "div",
        { class: "card", "data-role": "member-facts" },
        facts([
          [t("mem.status"), el("span", { "data-role": "status" }, label(member.status))],
          [t("mem.joined"), member.joined],
          [t("edit.fullOn"), member.fullOn],
          [t("mem.organisation"), member.organisation ? el("a", { href: orgHref(member.organisation.code), "data-role": "organisation" }, named(member.organisation)) : t("edit.noOrganisation")],
          [t("edit.group"), member.group ? el("a", { href: orgHref(member.group.code), "data-role": "group" }, named(member.group)) : t("cov.none")],
          [t("mem.workplace"), member.workplace],
          [t("mem.reportsTo"), member.reportsTo ? named(member.reportsTo) : null],
          member.inService ? [t("mem.reportedOn"), el("span", { "data-role": "reported-on" }, member.reportedOn ?? t("mem.reportedUnknown"))] : null,
          [t("mem.household"), member.household ? el("a", { href: placeHref(member.household.code) }, named(member.household)) : null],
          [t("mem.phone"), member.phone],
          [t("mem.skills"), member.skills.join("、")],
          [t("edit.offices"), member.offices.nodes.map((o) => `${o.organisation.name} ${t(`role.${o.role}`)}`).join("、") || t("cov.none")],
          [t("edit.standing"), el("span", { "data-role": "standing" }, standingText(member.standing))],
          [t("edit.away"), el("span", { "data-role": "away" }, awayText(member))],
          member.groupHistory.length
            ? [t("edit.groupHistory"), el("ul", { "data-role": "group-history" }, member.groupHistory.map((p) => el("li", {}, placementText(p))))]
            : null,
          member.standings.length
            ? [t("edit.standingHistory"), el("ul", { "data-role": "standings" }, member.standings.map((s) => el("li", {}, standingText(s))))]
            : null,
        ]),
      ),
      member.departedOn
        ? el("p", { class: "muted", "data-role": "departed" }, t("edit.departedNote"))
        : this.forms(
            this.updateMemberForm(member),
            this.transferForm(member),
            member.status === "PROBATIONARY" ? this.confirmForm(member) : null,
            member.offices.nodes.length ? this.endOfficeForm(member.offices.nodes.map((o) => [o.id, `${o.organisation.name} ${t(`role.${o.role}`)}`])) : null,
            this.standingForm(member),
            RESTORABLE.includes(member.standing?.kind) ? this.restoreForm(member) : null,
            this.awayForm(member),
            member.awaySince ? this.returnForm(member) : null,
          ),
    );
  }

  standingForm(member) {
    return mutationForm({
      id: "record-standing",
      title: t("edit.recordStanding"),
      intro: t("edit.recordStandingIntro"),
      fields: [
        { name: "kind", label: t("edit.standingKind"), type: "select", required: true, options: kinds(STANDINGS) },
        { name: "on", label: t("edit.standingOn"), type: "date", value: today() },
        { name: "way", label: t("edit.leavingWay"), type: "select", options: kinds(LEAVING_WAYS) },
        { name: "decidedBy", label: t("edit.decidedBy"), value: member.organisation?.code },
        { name: "note", label: t("edit.note"), type: "textarea" },
      ],
      reload: this.reload(),
      send: (v) => send("ConsoleRecordStanding", "recordStanding", { member: member.code, ...v, expectedVersion: member.version }),
      done: (p) => this.saved(t("edit.standingRecorded", { name: p.member.name, standing: label(p.member.standing?.kind) })),
    });
  }

  awayForm(member) {
    return mutationForm({
      id: "record-away",
      title: t("edit.recordAway"),
      intro: t("edit.recordAwayIntro"),
      fields: [
        { name: "since", label: t("edit.awaySince"), type: "date", required: true, value: member.awaySince ?? today() },
        { name: "place", label: t("edit.awayPlace"), required: true, value: member.awayPlace },
        { name: "attendsOrganisation", label: t("edit.attendsOrganisation"), value: member.awayAttendsOrganisation?.code },
        { name: "attends", label: t("edit.attends"), value: member.awayAttends },
      ],
      reload: this.reload(),
      send: (v) => send("ConsoleRecordAway", "recordAway", { member: member.code, ...v, expectedVersion: member.version }),
      done: (p) => this.saved(t("edit.awayRecorded", { name: p.member.name })),
    });
  }

  returnForm(member) {
    return mutationForm({
      id: "record-return",
      title: t("edit.recordReturn"),
      fields: [{ name: "on", label: t("edit.standingOn"), type: "date", value: today() }],
      reload: this.reload(),
      send: (v) => send("ConsoleRecordReturn", "recordReturn", { member: member.code, ...v, expectedVersion: member.version }),
      done: (p) => this.saved(t("edit.returned", { name: p.member.name })),
    });
  }

  restoreForm(member) {
    return mutationForm({
      id: "restore-standing",
      title: t("edit.restoreStanding"),
      fields: [
        { name: "on", label: t("edit.standingOn"), type: "date", value: today() },
        { name: "note", label: t("edit.note"), type: "textarea" },
      ],
      reload: this.reload(),
      send: (v) => send("ConsoleRestoreStanding", "restoreStanding", { member: member.code, ...v, expectedVersion: member.version }),
      done: (p) => this.saved(t("edit.restored", { name: p.member.name })),
    });
  }

  updateMemberForm(member) {
    const before = {
      name: member.name,
      gender: member.gender,
      phone: member.phone,
      household: member.household?.code ?? null,
      workplace: member.workplace,
      reportsTo: member.reportsTo?.code ?? null,
      taskCapacity: member.taskCapacity,
      group: member.group?.code ?? null,
      reportedOn: member.reportedOn,
    };
    return mutationForm({
      id: "update-member",
      title: t("edit.updateMember"),
      fields: [
        { name: "name", label: t("mem.name"), value: member.name, required: true },
        { name: "gender", label: t("mem.gender"), type: "select", options: kinds(["MALE", "FEMALE"]).map(([k, text]) => [k, text]), value: member.gender },
        { name: "phone", label: t("mem.phone"), value: member.phone },
        { name: "household", label: t("edit.householdCode"), value: member.household?.code },
        { name: "skills", label: t("mem.skills"), type: "codes", value: member.skills.join("、"), hint: t("edit.codesHint") },
        { name: "workplace", label: t("mem.workplace"), value: member.workplace },
        { name: "reportsTo", label: t("edit.reportsToCode"), value: member.reportsTo?.code },
        member.inService ? { name: "reportedOn", label: t("mem.reportedOn"), type: "date", value: member.reportedOn } : null,
        { name: "taskCapacity", label: t("edit.taskCapacity"), type: "number", min: 1, max: 10, value: member.taskCapacity },
        { name: "group", label: t("edit.groupCode"), value: member.group?.code, hint: t("edit.groupHint") },
        { name: "leaveGroup", label: t("edit.leaveGroup"), type: "checkbox" },
      ].filter(Boolean),
      reload: this.reload(),
      send: (v) => {
        const skills = v.skills ?? [];
        const same = skills.join("\n") === member.skills.join("\n");
        // A masked phone (viewers never get here, but be safe) is never sent back.
        const values = changed(v, before);
        if (values.phone?.includes("*")) values.phone = null;
        return send("ConsoleUpdateMember", "updateMember", { member: member.code, ...values, skills: same ? null : skills, expectedVersion: member.version });
      },
      done: (p) => this.saved(t("edit.saved", { name: p.member.name })),
    });
  }

  transferForm(member) {
    return mutationForm({
      id: "transfer-member",
      title: t("edit.transfer"),
      intro: t("edit.inServiceNote"),
      fields: [
        { name: "organisation", label: t("edit.organisationCode") },
        { name: "group", label: t("edit.groupCode"), hint: t("edit.groupHint") },
        { name: "workplace", label: t("mem.workplace") },
        { name: "reportsTo", label: t("edit.reportsToCode") },
        { name: "reportedOn", label: t("mem.reportedOn"), type: "date" },
        { name: "on", label: t("edit.on"), type: "date", value: today() },
      ],
      reload: this.reload(),
      send: (v) => send("ConsoleTransferMember", "transferMember", { member: member.code, ...v, expectedVersion: member.version }),
      done: (p) => this.saved(t("edit.transferred", { name: p.member.name, to: p.member.organisation?.name ?? p.member.workplace ?? "" })),
    });
  }

  confirmForm(member) {
    return mutationForm({
      id: "confirm-member",
      title: t("edit.confirmMember"),
      fields: [{ name: "on", label: t("edit.fullOn"), type: "date", value: today() }],
      reload: this.reload(),
      send: (v) => send("ConsoleConfirmMember", "confirmMember", { member: member.code, ...v, expectedVersion: member.version }),
      done: (p) => this.saved(t("edit.confirmed", { name: p.member.name, on: p.member.fullOn })),
    });
  }
}
