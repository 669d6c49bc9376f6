// The organiser's console: sign-in, then the org chart, coverage and gaps, an estate's work,
// members and search, each a hash route (#/chart, #/coverage/CODE, #/work/ESTATE,
// #/members/CODE, #/search/TEXT); the views that change the registry are listed in ROUTED
// (#/edit/org/CODE, ...). A lost session leads to the sign-in form and back to the same
// route; a lost server to a message with a retry.
import { ApiError, signIn, signOut, whoami } from "./api.js";
import { OrgChartView } from "./chart.js";
import { CoverageView } from "./coverage.js";
import { clear, el } from "./dom.js";
import { EditView } from "./editing.js";
import { CHANGED } from "./forms.js";
import { GapView } from "./gaps.js";
import { errorText, lang, missing, setLanguage, t } from "./i18n.js";
import { ImportView } from "./importing.js";
import { MembersView } from "./members.js";
import { SearchView } from "./search.js";
import { PairingsView, TaskView } from "./tasks-work.js";
import { WorkView } from "./work.js";
import "./style.css";
import "./print.css";

// Views whose route carries several parts (#/NAME/a/b → view.load(a, b)), each with its tab
// unless it is only reached from another view (a gap from a coverage's gaps).
const ROUTED = { edit: EditView, import: ImportView, gap: GapView, task: TaskView, pairings: PairingsView };
const UNTABBED = new Set(["gap", "task", "pairings"]);

const app = document.getElementById("app");
let who = null;
let chartView = null;

/** The page title of a view: what it shows first, then the product. */
function setTitle(view, subject) {
  const name = t(`title.${view}`);
  document.title = [subject, subject?.includes(name) ? null : name, `gridreg · ${t("title")}`].filter(Boolean).join(" · ");
}

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

/** The sign-in form; `notice` (an error code and its params) says why it is shown. */
function signInView(notice) {
  setTitle("signin");
  const input = el("input", { type: "password", name: "token", autocomplete: "off", required: true, placeholder: "grt_…" });
  const error = el(
    "p",
    { class: "error", "data-role": "signin-error", "data-code": notice?.code ?? null, role: "alert" },
    notice ? errorText(notice) : "",
  );
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
          error.dataset.code = failure.code ?? "";
          error.textContent = `${t("signin.failed")}: ${errorText(failure)}`;
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

/** The server cannot be reached: say so and offer to try again (in the view when signed in). */
function offlineView(retry) {
  const box = el(
    "div",
    { class: "card offline", role: "alert", "data-role": "offline" },
    el("p", { class: "error" }, t("error.OFFLINE")),
    el("button", { type: "button", "data-role": "retry", onclick: retry }, t("error.retry")),
  );
  const view = document.getElementById("view");
  if (view && who) clear(view, box);
  else clear(app, el("header", { class: "top" }, el("h1", {}, `gridreg · ${t("title")}`)), el("main", { class: "center" }, box));
}

/** What every failure leads to: a lost session to sign-in (then back to this route), a lost
 * server to a retry, anything else to its message in the view. */
function handleFailure(failure) {
  if (failure instanceof ApiError && failure.status === 401) {
    who = null;
    chartView?.dispose();
    chartView = null;
    signInView({ code: "SESSION_EXPIRED" });
  } else if (failure instanceof ApiError && failure.code === "OFFLINE") {
    offlineView(() => (who ? route() : start()));
  } else {
    const view = document.getElementById("view");
    const text = `${t("error")}: ${failure instanceof ApiError ? errorText(failure) : failure?.message ?? failure}`;
    if (view) clear(view, el("p", { class: "error", role: "alert" }, text));
  }
}

function searchForm() {
  const input = el("input", {
    type: "search",
    name: "q",
    "aria-label": t("search.placeholder"),
    placeholder: t("search.placeholder"),
  });
  return el(
    "form",
    {
      class: "find",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (text) navigate(`#/search/${encodeURIComponent(text)}`);
      },
    },
    input,
    el("button", { type: "submit" }, t("nav.search")),
  );
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
  const header = el("header", { class: "top" });
  // On a phone the tabs, search and who-am-I fold into this menu.
  const menu = el(
    "button",
    {
      type: "button",
      class: "menu-toggle",
      "data-role": "menu",
      "aria-expanded": "false",
      "aria-controls": "shell-menu",
      onclick: () => {
        const open = header.classList.toggle("open");
        menu.setAttribute("aria-expanded", String(open));
      },
    },
    `☰ ${t("nav.menu")}`,
  );
  const closeMenu = () => {
    header.classList.remove("open");
    menu.setAttribute("aria-expanded", "false");
  };
  clear(
    app,
    clear(
      header,
      el("h1", {}, `gridreg · ${t("title")}`),
      menu,
      el(
        "div",
        { class: "menu", id: "shell-menu", onclick: (e) => (e.target.closest("a") ? closeMenu() : null) },
      el(
        "nav",
        { class: "tabs", "aria-label": t("nav.main") },
        tabs.map(([hash, text]) => el("a", { href: hash, "data-tab": hash.slice(2) }, text)),
        el("a", { href: "/graphql", target: "_blank" }, t("nav.ide")),
      ),
      searchForm(),
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
  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.classList.toggle("active", tab.dataset.tab === name);
    if (tab.dataset.tab === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  setTitle(["coverage", "work", "members", "search", ...Object.keys(ROUTED)].includes(name) ? name : "chart", rest.at(-1) ?? arg);
  try {
    if (ROUTED[name]) {
      const routed = new ROUTED[name](who, navigate);
      clear(view, routed.element);
      await routed.load(arg, ...rest);
    } else if (name === "search") {
      const search = new SearchView(who, navigate);
      clear(view, search.element);
      await search.load(arg);
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
    // The view names what it shows (a scope's name rather than its code) once loaded.
    const subject = view.querySelector("h2")?.textContent?.trim();
    setTitle(["coverage", "work", "members", "search", ...Object.keys(ROUTED)].includes(name) ? name : "chart", subject);
    view.dataset.ready = name;
  } catch (failure) {
    handleFailure(failure);
  }
}

async function start() {
  setLanguage(lang);
  try {
    who = await whoami();
  } catch (failure) {
    who = null;
    handleFailure(failure);
    return;
  }
  if (who?.signedIn) shell();
  else signInView();
}

window.addEventListener("hashchange", route);
// After a write the chart is drawn afresh when next shown, not from what it loaded before.
document.addEventListener(CHANGED, () => {
  chartView?.dispose();
  chartView = null;
});
// A failure in an action after a view loaded (a button's request) is handled the same way.
window.addEventListener("unhandledrejection", (event) => {
  if (event.reason instanceof ApiError) {
    event.preventDefault();
    handleFailure(event.reason);
  }
});
window.gridregConsole = {
  position: (code) => chartView?.position(code) ?? null,
  missing: () => [...missing],
};
start();
