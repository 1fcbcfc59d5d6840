import { Fragment, useState } from 'react';
import FlatButton from '@commercetools-uikit/flat-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import SelectInput from '@commercetools-uikit/select-input';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { FieldIssues } from './field-issues';
import { guestPolicies, matchingRules, moved, type GuestPolicy, type IssuesByPath, type MatchingRule } from './mapping-draft';

const ruleDescriptions: Record<MatchingRule, string> = {
  link: 'the CRM record this one was synced to before',
  externalId: 'the commercetools ID in the CRM’s external ID field',
  email: 'the normalised email address',
  customKey: 'a custom key (configured in Advanced JSON under matching.customKeys)',
};
const guestDescriptions: Record<GuestPolicy, string> = {
  'attach-or-create': 'attach a guest order to the person with that email, else create one',
  create: 'always create a person flagged as guest',
};

/** How an incoming record finds its CRM record: rules tried in order, and what happens to guest orders. */
export function MatchingRulesEditor(props: {
  rules: MatchingRule[];
  guests: GuestPolicy;
  issues: IssuesByPath;
  canManage: boolean;
  onChange: (change: { rules?: MatchingRule[]; guests?: GuestPolicy }) => void;
}) {
  const { rules, issues, canManage } = props;
  const missing = matchingRules.filter((rule) => !rules.includes(rule));
  const [toAdd, setToAdd] = useState<MatchingRule | ''>('');
  const setRules = (next: MatchingRule[]) => props.onChange({ rules: next });

  return (
    <Spacings.Stack scale="s">
      <ol aria-label="Matching rules" style={{ margin: 0, paddingLeft: 20 }}>
        {rules.map((rule, index) => (
          <li key={rule}>
            <Spacings.Inline scale="s" alignItems="center">
              <Text.Body isBold>{rule}</Text.Body>
              <Text.Detail tone="secondary">{ruleDescriptions[rule]}</Text.Detail>
              {canManage ? (
                <Fragment>
                  <FlatButton label={`Move ${rule} up`} isDisabled={index === 0} onClick={() => setRules(moved(rules, index, -1))} />
                  <FlatButton label={`Move ${rule} down`} isDisabled={index === rules.length - 1} onClick={() => setRules(moved(rules, index, 1))} />
                  <FlatButton label={`Remove ${rule}`} onClick={() => setRules(rules.filter((r) => r !== rule))} />
                </Fragment>
              ) : null}
            </Spacings.Inline>
          </li>
        ))}
      </ol>
      <FieldIssues issues={issues} path={['matching', 'rules']} />
      <FieldIssues issues={issues} path={['matching', 'customKeys']} />
      {canManage && missing.length > 0 ? (
        <Spacings.Inline scale="s" alignItems="center">
          <SelectInput
            name="matching-rule-to-add"
            aria-label="Matching rule to add"
            horizontalConstraint={5}
            value={toAdd}
            placeholder="Choose a rule"
            options={missing.map((rule) => ({ value: rule, label: rule }))}
            onChange={(event) => setToAdd(event.target.value as MatchingRule)}
          />
          <SecondaryButton
            label="Add rule"
            isDisabled={toAdd === '' || rules.includes(toAdd)}
            onClick={() => {
              if (toAdd === '') return;
              setRules([...rules, toAdd]);
              setToAdd('');
            }}
          />
        </Spacings.Inline>
      ) : null}
      <label>
        <Text.Detail isBold>Guest orders</Text.Detail>
        <SelectInput
          name="guest-policy"
          aria-label="Guest orders"
          horizontalConstraint={7}
          value={props.guests}
          isReadOnly={!canManage}
          options={guestPolicies.map((policy) => ({ value: policy, label: `${policy}: ${guestDescriptions[policy]}` }))}
          onChange={(event) => props.onChange({ guests: event.target.value as GuestPolicy })}
        />
      </label>
      <FieldIssues issues={issues} path={['matching', 'guests']} />
    </Spacings.Stack>
  );
}
