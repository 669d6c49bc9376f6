// Talking to gridreg: GraphQL and the console's own endpoints, always same-origin.
// The session cookie is HttpOnly (the page never sees the token); the server only accepts it
// with SESSION_HEADER, which another site's page cannot add.
import ConsoleApplyHouseholdContacts from "../../graphql/operations/ConsoleApplyHouseholdContacts.graphql?raw";
import ConsoleChain from "../../graphql/operations/ConsoleChain.graphql?raw";
import ConsoleCoverage from "../../graphql/operations/ConsoleCoverage.graphql?raw";
import ConsoleGroups from "../../graphql/operations/ConsoleGroups.graphql?raw";
import ConsoleEstateSearch from "../../graphql/operations/ConsoleEstateSearch.graphql?raw";
import ConsoleMembers from "../../graphql/operations/ConsoleMembers.graphql?raw";
import ConsoleOrgAncestors from "../../graphql/operations/ConsoleOrgAncestors.graphql?raw";
import ConsoleOrgChart from "../../graphql/operations/ConsoleOrgChart.graphql?raw";
import ConsoleOrgChildren from "../../graphql/operations/ConsoleOrgChildren.graphql?raw";
import ConsoleOrgSearch from "../../graphql/operations/ConsoleOrgSearch.graphql?raw";
import ConsolePlaces from "../../graphql/operations/ConsolePlaces.graphql?raw";
import ConsoleProposeHouseholdContacts from "../../graphql/operations/ConsoleProposeHouseholdContacts.graphql?raw";
import ConsoleProposeMobilisation from "../../graphql/operations/ConsoleProposeMobilisation.graphql?raw";
import ConsoleSearch from "../../graphql/operations/ConsoleSearch.graphql?raw";
import ConsoleSuggestions from "../../graphql/operations/ConsoleSuggestions.graphql?raw";
import ConsoleWork from "../../graphql/operations/ConsoleWork.graphql?raw";
// Reading what a form edits, and the writes the forms send.
import ConsoleAppointOffice from "../../graphql/operations/ConsoleAppointOffice.graphql?raw";
import ConsoleConfirmMember from "../../graphql/operations/ConsoleConfirmMember.graphql?raw";
import ConsoleCreateMember from "../../graphql/operations/ConsoleCreateMember.graphql?raw";
import ConsoleCreateOrganisation from "../../graphql/operations/ConsoleCreateOrganisation.graphql?raw";
import ConsoleCreatePlace from "../../graphql/operations/ConsoleCreatePlace.graphql?raw";
import ConsoleDissolveOrganisation from "../../graphql/operations/ConsoleDissolveOrganisation.graphql?raw";
import ConsoleEditMember from "../../graphql/operations/ConsoleEditMember.graphql?raw";
import ConsoleEditOrganisation from "../../graphql/operations/ConsoleEditOrganisation.graphql?raw";
import ConsoleEditPlace from "../../graphql/operations/ConsoleEditPlace.graphql?raw";
import ConsoleEndOffice from "../../graphql/operations/ConsoleEndOffice.graphql?raw";
import ConsoleRecordAway from "../../graphql/operations/ConsoleRecordAway.graphql?raw";
import ConsoleRecordReturn from "../../graphql/operations/ConsoleRecordReturn.graphql?raw";
import ConsoleRecordStanding from "../../graphql/operations/ConsoleRecordStanding.graphql?raw";
import ConsoleRestoreStanding from "../../graphql/operations/ConsoleRestoreStanding.graphql?raw";
import ConsoleGapOrganisations from "../../graphql/operations/ConsoleGapOrganisations.graphql?raw";
import ConsoleGapPlace from "../../graphql/operations/ConsoleGapPlace.graphql?raw";
import ConsoleMergeOrganisations from "../../graphql/operations/ConsoleMergeOrganisations.graphql?raw";
import ConsoleSetCoverage from "../../graphql/operations/ConsoleSetCoverage.graphql?raw";
import ConsoleSplitOrganisation from "../../graphql/operations/ConsoleSplitOrganisation.graphql?raw";
import ConsoleTransferMember from "../../graphql/operations/ConsoleTransferMember.graphql?raw";
import ConsoleUpdateMember from "../../graphql/operations/ConsoleUpdateMember.graphql?raw";
import ConsoleUpdateOrganisation from "../../graphql/operations/ConsoleUpdateOrganisation.graphql?raw";
import ConsoleUpdatePlace from "../../graphql/operations/ConsoleUpdatePlace.graphql?raw";
// The work loop: tasks, mobilisation, answers, leader pairings and hub households.
import ConsoleApplyHubHouseholds from "../../graphql/operations/ConsoleApplyHubHouseholds.graphql?raw";
import ConsoleApplyLeaderPairings from "../../graphql/operations/ConsoleApplyLeaderPairings.graphql?raw";
import ConsoleApplyMobilisation from "../../graphql/operations/ConsoleApplyMobilisation.graphql?raw";
import ConsoleCreateTask from "../../graphql/operations/ConsoleCreateTask.graphql?raw";
import ConsoleFormFunctionalOrganisation from "../../graphql/operations/ConsoleFormFunctionalOrganisation.graphql?raw";
import ConsoleProposeHubHouseholds from "../../graphql/operations/ConsoleProposeHubHouseholds.graphql?raw";
import ConsoleProposeLeaderPairings from "../../graphql/operations/ConsoleProposeLeaderPairings.graphql?raw";
import ConsoleRespondToAssignment from "../../graphql/operations/ConsoleRespondToAssignment.graphql?raw";
import ConsoleTask from "../../graphql/operations/ConsoleTask.graphql?raw";

export const SESSION_HEADER = "X-Gridreg-Session";

export const OPERATIONS = {
  ConsoleApplyHouseholdContacts,
  ConsoleChain,
  ConsoleCoverage,
  ConsoleEstateSearch,
  ConsoleGroups,
  ConsoleMembers,
  ConsoleOrgAncestors,
  ConsoleOrgChart,
  ConsoleOrgChildren,
  ConsoleOrgSearch,
  ConsolePlaces,
  ConsoleProposeHouseholdContacts,
  ConsoleProposeMobilisation,
  ConsoleSearch,
  ConsoleSuggestions,
  ConsoleWork,
};

// The operations of the views that change the registry (editing.js, gaps.js, tasks-work.js).
Object.assign(OPERATIONS, {
  ConsoleAppointOffice,
  ConsoleConfirmMember,
  ConsoleCreateMember,
  ConsoleCreateOrganisation,
  ConsoleCreatePlace,
  ConsoleDissolveOrganisation,
  ConsoleEditMember,
  ConsoleEditOrganisation,
  ConsoleEditPlace,
  ConsoleEndOffice,
  ConsoleGapOrganisations,
  ConsoleGapPlace,
  ConsoleMergeOrganisations,
  ConsoleRecordAway,
  ConsoleRecordReturn,
  ConsoleRecordStanding,
  ConsoleRestoreStanding,
  ConsoleSetCoverage,
  ConsoleSplitOrganisation,
  ConsoleTransferMember,
  ConsoleUpdateMember,
  ConsoleUpdateOrganisation,
  ConsoleUpdatePlace,
  ConsoleApplyHubHouseholds,
  ConsoleApplyLeaderPairings,
  ConsoleApplyMobilisation,
  ConsoleCreateTask,
  ConsoleFormFunctionalOrganisation,
  ConsoleProposeHubHouseholds,
  ConsoleProposeLeaderPairings,
  ConsoleRespondToAssignment,
  ConsoleTask,
});

/** A refusal or failure: `code` (and `params`) say what happened, so the page words it in the
 * reader's language (i18n errorText); `message` is the server's English, for logs only. */
export class ApiError extends Error {
  constructor(message, status, code = null, params = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.params = params;
  }
}

async function request(method, url, body) {
  const headers = { [SESSION_HEADER]: "1", Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    return await fetch(url, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (failure) {
    // fetch only throws when no answer came at all: the server is down or unreachable.
    throw new ApiError(String(failure), 0, "OFFLINE");
  }
}

/** The ApiError of a refused console endpoint ({error, code, params}). */
async function refusal(response) {
  const body = await response.json().catch(() => ({}));
  return new ApiError(body.error || `HTTP ${response.status}`, response.status, body.code ?? null, body.params ?? {});
}

/** Run one of the console's operations (graphql/operations/Console*.graphql). */
export async function gql(name, variables = {}) {
  if (!OPERATIONS[name]) throw new ApiError(`unknown operation ${name}`, 400);
  return graphql(OPERATIONS[name], variables, name);
}

/** Run a GraphQL document; throws ApiError on errors. */
export async function graphql(query, variables = {}, operationName = undefined) {
  const response = await request("POST", "/graphql", { query, variables, operationName });
  const body = await response.json().catch(() => ({}));
  if (body.errors?.length) {
    const codes = body.errors.map((e) => e.extensions?.code).filter(Boolean);
    const unauthenticated = codes.includes("UNAUTHENTICATED");
    const first = body.errors.find((e) => e.extensions?.code)?.extensions ?? {};
    throw new ApiError(
      body.errors.map((e) => e.message).join("; "),
      unauthenticated ? 401 : 400,
      unauthenticated ? "UNAUTHENTICATED" : codes[0] ?? null,
      first,
    );
  }
  if (!response.ok) throw new ApiError(`HTTP ${response.status}`, response.status);
  return body.data;
}

/** Every page of a connection, concatenated (`pick` finds the connection in the data). */
export async function gqlAll(name, variables, pick) {
  const nodes = [];
  let after = null;
  for (;;) {
    const connection = pick(await gql(name, { ...variables, after }));
    if (!connection) return null;
    nodes.push(...connection.nodes);
    if (!connection.pageInfo.hasNextPage) return nodes;
    after = connection.pageInfo.endCursor;
  }
}

/** Who is signed in: {signedIn, role, masksPhones, organisations, places}. */
export async function whoami() {
  const response = await request("GET", "/console/session");
  return response.json();
}

export async function signIn(token) {
  const response = await request("POST", "/console/session", { token });
  if (!response.ok) throw await refusal(response);
  return response.json();
}

export async function signOut() {
  await request("DELETE", "/console/session");
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function download(response, filename) {
  if (!response.ok) throw await refusal(response);
  saveBlob(await response.blob(), filename);
}

/** Download tables [{title, columns, rows, percentColumns}] as one .xlsx written by the server. */
export async function downloadTables(filename, tables) {
  await download(await request("POST", "/console/export/table.xlsx", { filename, tables }), filename);
}

/** Download the coverage report of a scope, recomputed by the server (as the CLI writes it). */
export async function downloadCoverage(scope, filename) {
  const url = `/console/export/coverage.xlsx?scope=${encodeURIComponent(scope)}`;
  await download(await request("GET", url), filename);
}
