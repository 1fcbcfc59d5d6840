import { loadFromMcApp } from "./mc-deps";

/**
 * Answers the Merchant Center (`x-graphql-target: mc`) queries the application
 * shell sends on start-up by walking the query's own selection set over a fixture
 * object: every selected field comes back (null when the fixture lacks it), so the
 * shell's Apollo cache gets exactly the shape it asked for.
 */
type GraphqlModule = {
  parse(source: string): DocumentNode;
};
type NameNode = { value: string };
type SelectionNode =
  | { kind: "Field"; name: NameNode; alias?: NameNode; selectionSet?: SelectionSetNode }
  | { kind: "InlineFragment"; typeCondition?: { name: NameNode }; selectionSet: SelectionSetNode }
  | { kind: "FragmentSpread"; name: NameNode };
type SelectionSetNode = { selections: readonly SelectionNode[] };
type DefinitionNode =
  | { kind: "OperationDefinition"; name?: NameNode; selectionSet: SelectionSetNode }
  | { kind: "FragmentDefinition"; name: NameNode; typeCondition: { name: NameNode }; selectionSet: SelectionSetNode };
type DocumentNode = { definitions: readonly DefinitionNode[] };

export type McPermissions = { canViewCrmSync: boolean; canManageCrmSync: boolean };

export type McFixture = {
  projectKey: string;
  user: { id: string; email: string; firstName: string; lastName: string };
  permissions: McPermissions;
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function rootFor(fixture: McFixture): Record<string, Json> {
  const permissionList: Json = Object.entries(fixture.permissions).map(([name, value]) => ({
    __typename: "AppliedPermission",
    name,
    value,
  }));
  const projectSummary = {
    __typename: "Project",
    key: fixture.projectKey,
    name: `${fixture.projectKey} (local)`,
    suspension: { __typename: "ProjectSuspension", isActive: false, reason: null },
    expiry: { __typename: "ProjectExpiry", isActive: false, daysLeft: null },
    isProductionProject: false,
  };
  return {
    me: {
      __typename: "User",
      id: fixture.user.id,
      email: fixture.user.email,
      createdAt: "2025-01-01T00:00:00.000Z",
      gravatarHash: "",
      firstName: fixture.user.firstName,
      lastName: fixture.user.lastName,
      language: "en",
      numberFormat: "en",
      timeZone: "Etc/UTC",
      defaultProjectKey: fixture.projectKey,
      businessRole: null,
      projects: { __typename: "ProjectQueryResult", total: 1, results: [projectSummary] },
      idTokenUserInfo: null,
    },
    project: {
      ...projectSummary,
      version: 1,
      countries: ["DE"],
      currencies: ["EUR"],
      languages: ["en"],
      initialized: true,
      allAppliedPermissions: permissionList,
      allAppliedActionRights: [],
      allAppliedDataFences: [],
      allPermissionsForAllApplications: {
        __typename: "AllPermissionsForAllApplications",
        allAppliedPermissions: permissionList,
        allAppliedActionRights: [],
        allAppliedDataFences: [],
      },
      owner: { __typename: "Organization", id: "org-local", name: "Local organization" },
      sampleDataImportDataset: null,
      isUserAdminOfCurrentProject: false,
      productCatalogModel: null,
    },
    allFeatures: [],
    applicationsMenu: { __typename: "ApplicationsMenu", appBar: [], navBarGroups: [] },
    projectExtension: null,
    amILoggedIn: true,
  };
}

export function answerMcQuery(fixture: McFixture, query: string): { data: Record<string, Json> } {
  const { parse } = loadFromMcApp<GraphqlModule>("graphql");
  const document = parse(query);
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === "FragmentDefinition") fragments.set(definition.name.value, definition.selectionSet);
  }
  const operation = document.definitions.find((d) => d.kind === "OperationDefinition");
  if (!operation) throw new Error("no operation in query");

  const select = (set: SelectionSetNode, value: { [key: string]: Json }, out: Record<string, Json>) => {
    for (const selection of set.selections) {
      if (selection.kind === "Field") {
        const key = selection.alias?.value ?? selection.name.value;
        out[key] = resolveField(selection.name.value, selection.selectionSet, value);
      } else if (selection.kind === "InlineFragment") {
        const wanted = selection.typeCondition?.name.value;
        if (!wanted || value.__typename === undefined || value.__typename === wanted) select(selection.selectionSet, value, out);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) select(fragment, value, out);
      }
    }
    return out;
  };
  const shape = (raw: Json | undefined, set: SelectionSetNode | undefined): Json => {
    if (raw === undefined || raw === null) return null;
    if (!set) return raw;
    if (Array.isArray(raw)) return raw.map((item) => shape(item, set));
    if (typeof raw !== "object") return null;
    return select(set, raw, {});
  };
  const resolveField = (name: string, set: SelectionSetNode | undefined, parent: { [key: string]: Json }): Json => {
    if (name === "__typename") return typeof parent.__typename === "string" ? parent.__typename : "Query";
    return shape(parent[name], set);
  };

  return { data: select(operation.selectionSet, rootFor(fixture), {}) };
}
