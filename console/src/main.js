// The organiser's console: sign-in, then the org chart, coverage and gaps, an estate's work,
// members, each a hash route (#/chart, #/coverage/CODE, #/work/ESTATE, #/members/CODE); the
// views that change the registry are listed in ROUTED (#/edit/org/CODE, ...).
import { ApiError, signIn, signOut, whoami } from "./api.js";
import { OrgChartView } from "./chart.js";
import { CoverageView } from "./coverage.js";
import { clear, el } from "./dom.js";
import { EditView } from "./editing.js";
import { CHANGED } from "./forms.js";
import { GapView } from "./gaps.js";
import { lang, setLanguage, t } from "./i18n.js";
import { ImportView } from "./importing.js";
import { MembersView } from "./members.js";
import { PairingsView, TaskView } from "./tasks-work.js";
import { WorkView } from "./work.js";
import "./style.css";

// Views whose route carries several parts (#/NAME/a/b → view.load(a, b)), each with its tab
// unless it is only reached from another view (a gap from a coverage's gaps).
const ROUTED = { edit: EditView, import: ImportView, gap: GapView, task: TaskView, pairings: PairingsView };
const UNTABBED = new Set(["gap", "task", "pairings"]);

const app = document.getElementById("app");
let who = null;
let chartView = null;

function navigate(hash) {
  if (window.location.hash === hash) route();
  else window.location.hash = hash;
}

function languageToggle() {
  return el(
    "button",
    {
      type: "button",
      class: "lang",
      "data-role": "lang",
      onclick: () => {
        setLanguage(lang === "zh" ? "en" : "zh");
        const url = new URL(window.location.href);
        url.searchParams.delete("lang");
        window.history.replaceState(null, "", url);
        start();
      },
    },
    lang === "zh" ? "English" : "中文",
  );
}

function signInView(message) {
  const input = el("input", { type: "password", name: "token", autocomplete: "off", required: true, placeholder: "grt_…" });
  const error = el("p", { class: "error", "data-role": "signin-error" }, message || "");
  const form = el(
    "form",
    {
      class: "signin card",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          who = await signIn(input.value);
          input.value = "";
          shell();
        } catch (failure) {
          error.textContent = `${t("signin.failed")}: ${failure.message}`;
        }
      },
    },
    el("h2", {}, t("signin.title")),
    el("p", {}, t("signin.prompt")),
    el("label", {}, `${t("signin.token")} `, input),
    el("button", { type: "submit" }, t("signin.submit")),
    error,
  );
  clear(app, el("header", { class: "top" }, el("h1", {}, `gridreg · ${t("title")}`), languageToggle()), el("main", { class: "center" }, form));
  input.focus();
}

function shell() {
  const scopeText = who.organisations.map((o) => o.name).join("、") || t("scope.all");
  const tabs = [
    ["#/chart", t("nav.chart")],
    ["#/coverage", t("nav.coverage")],
    ["#/work", t("nav.work")],
    ["#/members", t("nav.members")],
    ...Object.keys(ROUTED)
      .filter((name) => !UNTABBED.has(name))
      .map((name) => [`#/${name}`, t(`nav.${name}`)]),
  ];
  clear(
    app,
    el(
      "header",
      { class: "top" },
      el("h1", {}, `gridreg · ${t("title")}`),
      el(
        "nav",
        { class: "tabs" },
        tabs.map(([hash, text]) => el("a", { href: hash, "data-tab": hash.slice(2) }, text)),
        el("a", { href: "/graphql", target: "_blank" }, t("nav.ide")),
      ),
      el(
        "div",
        { class: "who", "data-role": "who" },
        el("span", { class: "badge" }, t(`role.${who.role}`)),
        el("span", {}, `${t("scope")}: ${scopeText}`),
        languageToggle(),
        el(
          "button",
          {
            type: "button",
            "data-role": "signout",
            onclick: async () => {
              await signOut();
              who = null;
              chartView?.dispose();
              chartView = null;
              signInView();
            },
          },
          t("signout"),
        ),
      ),
    ),
    el("main", { id: "view" }),
  );
  chartView?.dispose();
  chartView = null;
  route();
}

async function route() {
  const view = document.getElementById("view");
  if (!view || !who) return;
  delete view.dataset.ready;
  const [, name = "chart", arg, ...rest] = window.location.hash.split("/").map(decodeURIComponent);
  for (const tab of document.querySelectorAll("[data-tab]")) tab.classList.toggle("active", tab.dataset.tab === name);
  try {
    if (ROUTED[name]) {
      const routed = new ROUTED[name](who, navigate);
      clear(view, routed.element);
      await routed.load(arg, ...rest);
    } else if (name === "coverage") {
      const coverage = new CoverageView(who, navigate);
      clear(view, coverage.element);
      await coverage.load(arg);
    } else if (name === "work") {
      const work = new WorkView(who, navigate);
      clear(view, work.element);
      await work.load(arg);
    } else if (name === "members") {
      const members = new MembersView(who, navigate);
      clear(view, members.element);
      await members.load(arg);
    } else {
      if (!chartView) {
        chartView = new OrgChartView(who, navigate);
        clear(view, chartView.element);
        await chartView.load(arg || who.organisations[0]?.code);
      } else {
        clear(view, chartView.element);
        chartView.render();
      }
    }
    view.dataset.ready = name;
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 401) signInView(failure.message);
    else clear(view, el("p", { class: "error" }, `${t("error")}: ${failure.message}`));
  }
}

async function start() {
  setLanguage(lang);
  who = await whoami().catch(() => null);
  if (who?.signedIn) shell();
  else signInView();
}

window.addEventListener("hashchange", route);
// After a write the chart is drawn afresh when next shown, not from what it loaded before.
document.addEventListener(CHANGED, () => {
  chartView?.dispose();
  chartView = null;
});
window.gridregConsole = { position: (code) => chartView?.position(code) ?? null };
start();
