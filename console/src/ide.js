// The self-hosted GraphiQL IDE served at GET /graphql: every script and style comes from gridreg.
// Requests carry the console's session cookie (with the header that proves they come from
// gridreg's own page); a token pasted into the Headers editor as `Authorization: Bearer ...`
// takes precedence.
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { createElement as h } from "react";
import { createRoot } from "react-dom/client";
import "./ide.css";
import { SESSION_HEADER, whoami } from "./api.js";

const DEFAULT_QUERY = `# gridreg — GraphQL IDE
# Signed in to the console? Requests use that session. Otherwise paste your token in
# Headers below: {"Authorization": "Bearer grt_..."}

query Coverage($scope: String!) {
  coverage(scope: $scope) {
    estates { total covered ratio }
    buildings { total covered ratio }
    members { total full probationary inService }
    gaps(first: 5) { totalCount items { kind place { code name } } }
  }
}
`;

function cleanHeaders(headers) {
  // An empty "Bearer " template must not shadow the session cookie.
  const out = { ...(headers || {}) };
  for (const key of Object.keys(out)) {
    if (key.toLowerCase() === "authorization" && !String(out[key]).replace(/^bearer\s*/i, "").trim()) {
      delete out[key];
    }
  }
  return out;
}

async function fetcher(params, options) {
  const response = await fetch(window.location.pathname, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      [SESSION_HEADER]: "1",
      ...cleanHeaders(options?.headers),
    },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
  }
}

function banner(who) {
  const text = who?.signedIn
    ? `gridreg · signed in as ${who.role}` +
      (who.organisations?.length ? ` · ${who.organisations.map((o) => o.name).join(", ")}` : "") +
      " · requests use your console session"
    : "gridreg · not signed in: paste a token into Headers, or sign in at /console";
  return h(
    "div",
    { className: "gridreg-ide-banner", "data-signed-in": who?.signedIn ? "yes" : "no" },
    h("span", null, text),
    h("a", { href: "/console" }, "Console / 控制台"),
  );
}

async function start() {
  const who = await whoami().catch(() => null);
  const defaultHeaders = who?.signedIn ? "{}" : '{\n  "Authorization": "Bearer "\n}';
  const scope = who?.places?.[0]?.code || who?.organisations?.[0]?.code || "";
  createRoot(document.getElementById("graphiql")).render(
    h(
      "div",
      { className: "gridreg-ide" },
      banner(who),
      h(GraphiQL, {
        fetcher,
        defaultQuery: DEFAULT_QUERY,
        defaultHeaders,
        variables: JSON.stringify({ scope }, null, 2),
        isHeadersEditorEnabled: true,
        defaultEditorToolsVisibility: who?.signedIn ? "variables" : "headers",
        shouldPersistHeaders: false,
      }),
    ),
  );
}

start();
