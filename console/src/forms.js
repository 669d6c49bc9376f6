// Forms that change the registry: each sends one mutation of graphql/operations/Console*.graphql,
// shows every userError beside the field it names (worded in the console's language from its
// code and field), and on STALE says someone changed the
// record meanwhile and offers to reload it. A form with `preview` works in two steps: preview
// what would change, then confirm; changing any field after a preview withdraws it.
import { ApiError } from "./api.js";
import { el } from "./dom.js";
import { errorText as wordError, has, t } from "./i18n.js";

/** The event every write dispatches on `document`: views that keep what they loaded (the org
 * chart) drop it, so no page shows the registry as it was before the write. */
export const CHANGED = "gridreg:changed";

export function announceChange() {
  document.dispatchEvent(new CustomEvent(CHANGED));
}

/** Today as YYYY-MM-DD (local time, as organisers date their decisions). */
export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Codes typed into one box, separated by spaces, commas or semicolons (either width). */
export function codeList(text) {
  return (text || "").split(/[\s,;，；、]+/).filter(Boolean);
}

function control(field) {
  const common = { name: field.name, id: field.id, required: field.required || null, "aria-describedby": `${field.id}-error` };
  if (field.type === "select") {
    return el(
      "select",
      common,
      field.required ? null : el("option", { value: "" }, "—"),
      field.options.map(([value, text]) => el("option", { value, selected: value === field.value || null }, text)),
    );
  }
  if (field.type === "checkbox") return el("input", { ...common, type: "checkbox", checked: field.value || null });
  if (field.type === "checks") {
    // Several choices: one checkbox each, inside a fieldset named like the API's field.
    return el(
      "div",
      { class: "checks", "data-checks": field.name, id: field.id },
      field.options.length
        ? field.options.map(([value, text, checked]) =>
            el("label", {}, el("input", { type: "checkbox", value, checked: checked || null }), ` ${text}`),
          )
        : el("span", { class: "muted" }, t("cov.none")),
    );
  }
  if (field.type === "textarea") return el("textarea", { ...common, rows: 2 }, field.value ?? "");
  return el("input", {
    ...common,
    type: field.type || "text",
    value: field.value ?? null,
    placeholder: field.placeholder || null,
    min: field.min ?? null,
    max: field.max ?? null,
    autocomplete: "off",
  });
}

function valueOf(field, input) {
  if (field.type === "checkbox") return input.checked;
  if (field.type === "checks") return [...input.querySelectorAll("input:checked")].map((box) => box.value);
  const raw = input.value.trim();
  if (raw === "") return null;
  if (field.type === "number") return Number(raw);
  if (field.type === "codes") return codeList(raw);
  return raw;
}

/** The text of a userError in the console's language (from its code, as every refusal is
 * worded: i18n's errorText), naming the form's label of its field, else the API's own. */
export function errorText(error, fieldLabel) {
  const field = fieldLabel ?? (has(`field.${error.field}`) ? t(`field.${error.field}`) : t("form.thisForm"));
  return wordError({ ...error, field });
}

/**
 * A form that sends one mutation.
 *   id, title, intro: what it is; fields: [{name, label, type, options, value, required, placeholder, hint}];
 *   send(values) -> the mutation's payload (with userErrors);
 *   done(payload, values): called after a write succeeded (the caller shows the confirmation);
 *   preview(values) -> a Node showing what would change (then the form asks to confirm);
 *   reload(): reload what the form edits (offered on STALE); submitLabel, confirmLabel;
 *   fieldOf(apiField) -> the form's field a userError belongs beside (when the names differ).
 */
export function mutationForm(spec) {
  const fields = spec.fields.map((f) => ({ ...f, id: `${spec.id}-${f.name}` }));
  const inputs = new Map();
  const slots = new Map();
  const formError = el("div", { class: "error", "data-role": "form-error", role: "alert" });
  const previewSlot = el("div", { class: "preview", "data-role": "preview" });
  const labels = Object.fromEntries(fields.map((f) => [f.name, f.label]));

  const rows = fields.map((field) => {
    const input = control(field);
    inputs.set(field.name, input);
    const slot = el("span", { class: "field-error error", id: `${field.id}-error`, "data-error-for": field.name });
    slots.set(field.name, slot);
    const caption = field.type === "checks" ? el("span", { class: "label" }, field.label) : el("label", { for: field.id }, field.label);
    return el(
      "div",
      { class: `field${field.type === "checks" ? " wide" : ""}`, "data-field": field.name },
      caption,
      input,
      field.hint ? el("small", { class: "muted" }, field.hint) : null,
      slot,
    );
  });

  const values = () => Object.fromEntries(fields.map((f) => [f.name, valueOf(f, inputs.get(f.name))]));

  const clearErrors = () => {
    for (const slot of slots.values()) slot.replaceChildren();
    for (const input of inputs.values()) input.removeAttribute("aria-invalid");
    formError.replaceChildren();
  };

  const showErrors = (errors) => {
    let first = null;
    for (const error of errors) {
      // "cover[1]" (one of a list's items) belongs beside the list.
      const given = spec.fieldOf ? spec.fieldOf(error.field) : error.field;
      const name = slots.has(given) ? given : given.replace(/[[.].*$/, "");
      const slot = slots.get(name);
      // Worded from the code alone; the server's English stays out of the page.
      const text = el("span", { "data-code": error.code, "data-reason": error.reason ?? null }, errorText(error, labels[name]));
      if (error.code === "STALE") {
        formError.append(
          el(
            "p",
            { "data-code": "STALE" },
            errorText(error),
            " ",
            spec.reload ? el("button", { type: "button", "data-role": "reload", onclick: () => spec.reload() }, t("form.reload")) : null,
          ),
        );
        first = first || formError.querySelector("button");
      } else if (slot) {
        slot.append(text);
        inputs.get(name).setAttribute("aria-invalid", "true");
        first = first || inputs.get(name);
      } else {
        formError.append(el("p", {}, text));
      }
    }
    (first || formError).focus?.();
  };

  const submit = el("button", { type: "submit", class: spec.preview ? null : "primary" }, spec.submitLabel || t("form.save"));
  const busy = async (button, work) => {
    button.disabled = true;
    try {
      await work();
    } catch (failure) {
      // A lost session or server is the console's to handle (sign-in, retry), not the form's.
      if (failure instanceof ApiError && (failure.status === 401 || failure.code === "OFFLINE")) throw failure;
      formError.replaceChildren(el("p", {}, `${t("error")}: ${failure instanceof ApiError ? wordError(failure) : failure.message}`));
    } finally {
      button.disabled = false;
    }
  };

  const write = async (given) => {
    const payload = await spec.send(given);
    if (payload.userErrors.length) {
      showErrors(payload.userErrors);
      return;
    }
    previewSlot.replaceChildren();
    announceChange();
    await spec.done(payload, given);
  };

  const form = el(
    "form",
    {
      class: "card edit-form",
      "data-form": spec.id,
      novalidate: true,
      oninput: () => {
        // What was previewed is no longer what would be sent.
        if (spec.preview && previewSlot.childElementCount) previewSlot.replaceChildren();
      },
      onsubmit: (event) => {
        event.preventDefault();
        clearErrors();
        // The last write's confirmation is not about this one.
        for (const note of document.querySelectorAll("[data-role=done]")) note.remove();
        const given = values();
        busy(submit, async () => {
          if (!spec.preview) return write(given);
          const shown = await spec.preview(given);
          if (!shown) return;
          const confirm = el(
            "button",
            {
              type: "button",
              class: "primary",
              "data-role": "confirm",
              onclick: () => busy(confirm, () => write(given)),
            },
            spec.confirmLabel || t("form.confirm"),
          );
          previewSlot.replaceChildren(shown, el("div", { class: "actions-bar" }, confirm));
          confirm.focus();
        });
      },
    },
    el("h3", {}, spec.title),
    spec.intro ? el("p", { class: "muted" }, spec.intro) : null,
    el("div", { class: "fields" }, rows),
    formError,
    el("div", { class: "actions-bar" }, submit),
    previewSlot,
  );
  formError.tabIndex = -1;
  return { element: form, values, showErrors };
}

/** A confirmation that takes the focus, where the user will look next. */
export function confirmation(text) {
  const note = el("p", { class: "ok done", "data-role": "done", tabindex: "-1", role: "status" }, text);
  queueMicrotask(() => note.focus());
  return note;
}
