import { defineMessages } from 'react-intl';

export const mappingsMessages = defineMessages({
  title: { id: 'CrmSync.Mappings.title', defaultMessage: 'Mappings' },
  loading: { id: 'CrmSync.Mappings.loading', defaultMessage: 'Loading mappings' },
  header: { id: 'CrmSync.Mappings.header', defaultMessage: 'CRM: {crm} · version {version}' },
  edited: { id: 'CrmSync.Mappings.edited', defaultMessage: '(edited, not saved)' },
  save: { id: 'CrmSync.Mappings.save', defaultMessage: 'Save' },
  discard: { id: 'CrmSync.Mappings.discard', defaultMessage: 'Discard changes' },
  viewOnly: {
    id: 'CrmSync.Mappings.viewOnly',
    defaultMessage: 'You can look at the mapping and preview it; changing it needs the Manage permission.',
  },
  valid: { id: 'CrmSync.Mappings.valid', defaultMessage: 'The mapping is valid.' },
  problems: {
    id: 'CrmSync.Mappings.problems',
    defaultMessage: '{count, plural, one {One problem keeps} other {# problems keep}} the mapping from being saved:',
  },
  problemList: { id: 'CrmSync.Mappings.problemList', defaultMessage: 'Validation messages' },
  problemLine: { id: 'CrmSync.Mappings.problemLine', defaultMessage: '{where}: {what}' },
  entityFields: { id: 'CrmSync.Mappings.entityFields', defaultMessage: '{entity} fields' },
  matching: { id: 'CrmSync.Mappings.matching', defaultMessage: 'Matching' },
  preview: { id: 'CrmSync.Mappings.preview', defaultMessage: 'Preview on sample records' },
  advanced: { id: 'CrmSync.Mappings.advanced', defaultMessage: 'Advanced (JSON): consent, segmentation, validation, locale' },
  versions: { id: 'CrmSync.Mappings.versions', defaultMessage: 'Versions' },
  refused: { id: 'CrmSync.Mappings.refused', defaultMessage: 'Not saved: the service found problems (listed above).' },
  saved: { id: 'CrmSync.Mappings.saved', defaultMessage: 'Saved as version {version}.' },
  rolledBack: { id: 'CrmSync.Mappings.rolledBack', defaultMessage: 'Rolled back to version {from}; now version {version}.' },
  confirmSaveTitle: { id: 'CrmSync.Mappings.confirmSaveTitle', defaultMessage: 'Save as version {version}?' },
  confirmSaveBody: {
    id: 'CrmSync.Mappings.confirmSaveBody',
    defaultMessage: 'It is live as soon as it is saved: every record synced with {crm} from then on uses it. Records already in {crm} change when they are next synced.',
  },
  confirmRollbackTitle: { id: 'CrmSync.Mappings.confirmRollbackTitle', defaultMessage: 'Roll back to version {from}?' },
  confirmRollbackBody: {
    id: 'CrmSync.Mappings.confirmRollbackBody',
    defaultMessage:
      'Version {from}’s mapping becomes live as version {version}, in place of version {current}: every record synced with {crm} from then on uses it. Records already in {crm} change when they are next synced.',
  },
  rollback: { id: 'CrmSync.Mappings.rollback', defaultMessage: 'Roll back' },
  whatChanges: { id: 'CrmSync.Mappings.whatChanges', defaultMessage: 'What changes' },
});

/** Where a problem is, in the words the page's labels use (1-based, as the rows are numbered). */
export const placeMessages = defineMessages({
  field: { id: 'CrmSync.Place.field', defaultMessage: '{entity} field {number}' },
  source: { id: 'CrmSync.Place.source', defaultMessage: '{entity} field {number}, commercetools source' },
  target: { id: 'CrmSync.Place.target', defaultMessage: '{entity} field {number}, CRM field' },
  transforms: { id: 'CrmSync.Place.transforms', defaultMessage: '{entity} field {number}, transforms' },
  transform: { id: 'CrmSync.Place.transform', defaultMessage: '{entity} field {number}, transform {transform}' },
  owner: { id: 'CrmSync.Place.owner', defaultMessage: '{entity} field {number}, owner' },
  fields: { id: 'CrmSync.Place.fields', defaultMessage: '{entity} fields' },
  matchingRules: { id: 'CrmSync.Place.matchingRules', defaultMessage: 'Matching rules' },
  customKeys: { id: 'CrmSync.Place.customKeys', defaultMessage: 'Custom keys (Advanced JSON)' },
  guests: { id: 'CrmSync.Place.guests', defaultMessage: 'Guest orders' },
  crm: { id: 'CrmSync.Place.crm', defaultMessage: 'CRM' },
  document: { id: 'CrmSync.Place.document', defaultMessage: 'The mapping' },
  advanced: { id: 'CrmSync.Place.advanced', defaultMessage: 'Advanced (JSON), {path}' },
});

/** What is wrong, as a merchandiser reads it. */
export const issueMessages = defineMessages({
  required: { id: 'CrmSync.Issue.required', defaultMessage: 'Required.' },
  sourceRequired: { id: 'CrmSync.Issue.sourceRequired', defaultMessage: 'Enter the commercetools field to read, such as email or custom.loyaltyTier.' },
  targetRequired: { id: 'CrmSync.Issue.targetRequired', defaultMessage: 'Enter the {crm} field to write.' },
  sourcePath: {
    id: 'CrmSync.Issue.sourcePath',
    defaultMessage: 'Write the field as a path such as address.country or custom.loyaltyTier: letters, digits and _, parts joined by dots.',
  },
  choose: { id: 'CrmSync.Issue.choose', defaultMessage: 'Choose one of: {options}.' },
  unknownTransform: { id: 'CrmSync.Issue.unknownTransform', defaultMessage: '“{value}” is not a transform. Use one of: {options}.' },
  wrongType: { id: 'CrmSync.Issue.wrongType', defaultMessage: 'This needs {expected, select, array {a list} object {a set of settings} string {a text} number {a number} boolean {true or false} other {another kind of value}}.' },
  unknownSettings: { id: 'CrmSync.Issue.unknownSettings', defaultMessage: 'Not a setting here: {keys}. Remove it, or it would not be saved.' },
  tooFew: { id: 'CrmSync.Issue.tooFew', defaultMessage: 'Add at least {minimum}.' },
  mappedTwice: { id: 'CrmSync.Issue.mappedTwice', defaultMessage: '{target} is mapped twice: each CRM field takes one source.' },
  customKeyNeeded: { id: 'CrmSync.Issue.customKeyNeeded', defaultMessage: 'The customKey rule needs at least one custom key (Advanced JSON, matching.customKeys).' },
  wrongCrm: { id: 'CrmSync.Issue.wrongCrm', defaultMessage: 'This mapping is for another CRM; this connection syncs with {crm}.' },
  documentText: {
    id: 'CrmSync.Issue.documentText',
    defaultMessage: 'Write the mapping as one JSON object. Nothing is saved until it reads as one.',
  },
  transformText: {
    id: 'CrmSync.Issue.transformText',
    defaultMessage: `Write transforms as a list, for example ['{"type": "normalise", "as": "upper"}']. Nothing is saved until it reads as one.`,
  },
});

export const fieldsMessages = defineMessages({
  source: { id: 'CrmSync.Fields.source', defaultMessage: 'commercetools source' },
  target: { id: 'CrmSync.Fields.target', defaultMessage: 'CRM field' },
  transforms: { id: 'CrmSync.Fields.transforms', defaultMessage: 'Transforms' },
  owner: { id: 'CrmSync.Fields.owner', defaultMessage: 'Owner' },
  direction: { id: 'CrmSync.Fields.direction', defaultMessage: 'Direction' },
  directionOut: { id: 'CrmSync.Fields.directionOut', defaultMessage: 'commercetools → {crm}: a change in {crm} is restored' },
  directionIn: { id: 'CrmSync.Fields.directionIn', defaultMessage: '{crm} → commercetools: never written to {crm}' },
  directionOnce: { id: 'CrmSync.Fields.directionOnce', defaultMessage: 'commercetools → {crm} once, while it is empty; {crm} → commercetools while commercetools has none' },
  label: {
    id: 'CrmSync.Fields.label',
    defaultMessage:
      '{entity, select, person {person} company {company} order {order} other {{entity}}} field {number} {part, select, source {source} target {target} transforms {transforms} owner {owner} other {{part}}}',
  },
  remove: {
    id: 'CrmSync.Fields.remove',
    defaultMessage: 'Remove {entity, select, person {person} company {company} order {order} other {{entity}}} field {number}',
  },
  add: { id: 'CrmSync.Fields.add', defaultMessage: 'Add {entity, select, person {person} company {company} order {order} other {{entity}}} field' },
  none: {
    id: 'CrmSync.Fields.none',
    defaultMessage: 'No extra {entity, select, person {person} company {company} order {order} other {{entity}}} fields: the connector writes its standard fields only.',
  },
});

export const transformMessages = defineMessages({
  asIs: { id: 'CrmSync.Transform.asIs', defaultMessage: 'as is' },
  format: { id: 'CrmSync.Transform.format', defaultMessage: 'format "{template}"' },
  lookup: {
    id: 'CrmSync.Transform.lookup',
    defaultMessage: 'lookup ({count, plural, one {# value} other {# values}}{hasDefault, select, yes {, else {fallback}} other {}})',
  },
  join: { id: 'CrmSync.Transform.join', defaultMessage: 'join with "{separator}"' },
});

export const advancedMessages = defineMessages({
  label: { id: 'CrmSync.Advanced.label', defaultMessage: 'Mapping configuration (JSON)' },
});

export const matchingMessages = defineMessages({
  rules: { id: 'CrmSync.Matching.rules', defaultMessage: 'Matching rules' },
  link: { id: 'CrmSync.Matching.link', defaultMessage: 'the CRM record this one was synced to before' },
  externalId: { id: 'CrmSync.Matching.externalId', defaultMessage: 'the commercetools ID in the CRM’s external ID field' },
  email: { id: 'CrmSync.Matching.email', defaultMessage: 'the normalised email address' },
  customKey: { id: 'CrmSync.Matching.customKey', defaultMessage: 'a custom key (set in Advanced JSON under matching.customKeys)' },
  moveUp: { id: 'CrmSync.Matching.moveUp', defaultMessage: 'Move {rule} up' },
  moveDown: { id: 'CrmSync.Matching.moveDown', defaultMessage: 'Move {rule} down' },
  remove: { id: 'CrmSync.Matching.remove', defaultMessage: 'Remove {rule}' },
  toAdd: { id: 'CrmSync.Matching.toAdd', defaultMessage: 'Matching rule to add' },
  choose: { id: 'CrmSync.Matching.choose', defaultMessage: 'Choose a rule' },
  add: { id: 'CrmSync.Matching.add', defaultMessage: 'Add rule' },
  guests: { id: 'CrmSync.Matching.guests', defaultMessage: 'Guest orders' },
  attachOrCreate: {
    id: 'CrmSync.Matching.attachOrCreate',
    defaultMessage: 'attach-or-create: attach a guest order to the person with that email, else create one',
  },
  create: { id: 'CrmSync.Matching.create', defaultMessage: 'create: always create a person flagged as guest' },
});

export const previewMessages = defineMessages({
  entity: { id: 'CrmSync.Preview.entity', defaultMessage: 'Entity' },
  entityLabel: { id: 'CrmSync.Preview.entityLabel', defaultMessage: 'Preview entity' },
  sampleIds: { id: 'CrmSync.Preview.sampleIds', defaultMessage: 'Sample IDs (optional; else the 5 most recently changed)' },
  run: { id: 'CrmSync.Preview.run', defaultMessage: 'Preview' },
  none: { id: 'CrmSync.Preview.none', defaultMessage: 'No sample records found.' },
  of: { id: 'CrmSync.Preview.of', defaultMessage: 'Preview of {id}' },
  field: { id: 'CrmSync.Preview.field', defaultMessage: 'CRM field' },
  value: { id: 'CrmSync.Preview.value', defaultMessage: 'Value that would be written' },
});

export const versionMessages = defineMessages({
  list: { id: 'CrmSync.Versions.list', defaultMessage: 'Versions' },
  saved: { id: 'CrmSync.Versions.saved', defaultMessage: 'v{version} · {at}{hasBy, select, yes { · {by}} other {}}' },
  initial: { id: 'CrmSync.Versions.initial', defaultMessage: 'v0 · the CRM’s default' },
  current: { id: 'CrmSync.Versions.current', defaultMessage: '{entry} (current)' },
  rollback: { id: 'CrmSync.Versions.rollback', defaultMessage: 'Roll back to v{version}' },
});

/** What a save or rollback changes, one line per difference. */
export const changeMessages = defineMessages({
  fieldAdded: { id: 'CrmSync.Change.fieldAdded', defaultMessage: '{entity}: {target} is written from {source}' },
  fieldRemoved: { id: 'CrmSync.Change.fieldRemoved', defaultMessage: '{entity}: {target} is no longer written' },
  fieldChanged: { id: 'CrmSync.Change.fieldChanged', defaultMessage: '{entity}: {target} changes ({parts})' },
  partSource: { id: 'CrmSync.Change.partSource', defaultMessage: 'source {from} → {to}' },
  partTransforms: { id: 'CrmSync.Change.partTransforms', defaultMessage: 'transforms {from} → {to}' },
  partOwner: { id: 'CrmSync.Change.partOwner', defaultMessage: 'owner {from} → {to}' },
  rules: { id: 'CrmSync.Change.rules', defaultMessage: 'Matching rules: {to} (was {from})' },
  guests: { id: 'CrmSync.Change.guests', defaultMessage: 'Guest orders: {to} (was {from})' },
  section: { id: 'CrmSync.Change.section', defaultMessage: 'Advanced (JSON) “{section}” changes' },
  nothing: { id: 'CrmSync.Change.nothing', defaultMessage: 'Nothing differs from the live mapping; a new version is saved all the same.' },
});
