// A tiny DOM builder: el("div", {class: "x", onclick: f}, child, "text", ...).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return node;
}

export function formatRatio(ratio) {
  return ratio == null ? "—" : `${(ratio * 100).toFixed(1)}%`;
}

export function formatNumber(value, digits = 0) {
  if (value == null) return "—";
  return typeof value === "number" ? value.toFixed(digits).replace(/\.0+$/, "") : String(value);
}
