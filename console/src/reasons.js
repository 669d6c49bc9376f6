// Reasons and explanations of the planners (contacts, leader pairings, hubs, mobilisation):
// each a code and its values, worded from `explain.<CODE>` (the server's wording files, shared
// with its exports), with places, members and tasks shown by their names.
import { lang, skill, t } from "./i18n.js";

// Names the views have loaded, by code.
const names = { place: new Map(), member: new Map(), task: new Map() };

// What each value names, by the parameter's name; a list parameter holds codes joined by commas.
const NAMED = {
  building: "place", estate: "place", unit: "place", household: "place", place: "place",
  community: "place", member: "member", by: "member", leader: "member",
};
const LISTS = { unavailable: "member", tasks: "task" };

/** Remember the names of loaded places (or members, tasks: `kind`), so reasons can name them. */
export function remember(kind, ...things) {
  for (const thing of things) if (thing?.code && thing.name) names[kind].set(thing.code, thing.name);
}

/** The name of a place (or member, task) by its code; its code when the view has not loaded it. */
export function named(code, kind = "place") {
  return names[kind].get(code) ?? code;
}

function listed(text, word) {
  return String(text)
    .split(",")
    .filter(Boolean)
    .map(word)
    .join(lang === "zh" ? "、" : ", ");
}

function value(name, text) {
  if (NAMED[name]) return named(text, NAMED[name]);
  if (LISTS[name]) return listed(text, (code) => named(code, LISTS[name]));
  if (name === "skills") return listed(text, skill);
  if (name === "relation" || name === "was") return t(`explain.${text}`);
  return text;
}

/** One reason ({code, params: [{name, value}]}) in the reader's language. */
export function reasonText(reason) {
  if (!reason) return null;
  const values = Object.fromEntries(reason.params.map((p) => [p.name, value(p.name, p.value)]));
  return t(`explain.${reason.code}`, values);
}

/** An explanation (its reasons in order) in the reader's language. */
export function explanationText(reasons) {
  return (reasons ?? []).map(reasonText).join(lang === "zh" ? "；" : "; ");
}
