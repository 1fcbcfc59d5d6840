import { Fragment, useState } from 'react';
import { useIntl } from 'react-intl';
import FlatButton from '@commercetools-uikit/flat-button';
import SecondaryButton from '@commercetools-uikit/secondary-button';
import SelectInput from '@commercetools-uikit/select-input';
import Spacings from '@commercetools-uikit/spacings';
import Text from '@commercetools-uikit/text';
import { FieldIssues } from './field-issues';
import { guestPolicies, matchingRules, moved, type GuestPolicy, type IssuesByPath, type MatchingRule } from './mapping-draft';
import { matchingMessages } from './messages';

const guestMessages = { 'attach-or-create': matchingMessages.attachOrCreate, create: matchingMessages.create } as const;

/** How an incoming record finds its CRM record: rules tried in order, and what happens to guest orders. */
export function MatchingRulesEditor(props: {
  rules: MatchingRule[];
  guests: GuestPolicy;
  issues: IssuesByPath;
  canManage: boolean;
  onChange: (change: { rules?: MatchingRule[]; guests?: GuestPolicy }) => void;
}) {
  const intl = useIntl();
  const { rules, issues, canManage } = props;
  const missing = matchingRules.filter((rule) => !rules.includes(rule));
  const [toAdd, setToAdd] = useState<MatchingRule | ''>('');
  const setRules = (next: MatchingRule[]) => props.onChange({ rules: next });

  return (
    <Spacings.Stack scale="s">
      <ol aria-label={intl.formatMessage(matchingMessages.rules)} style={{ margin: 0, paddingLeft: 20 }}>
        {rules.map((rule, index) => (
          <li key={rule}>
            <Spacings.Inline scale="s" alignItems="center">
              <Text.Body isBold>{rule}</Text.Body>
              <Text.Detail tone="secondary">{intl.formatMessage(matchingMessages[rule])}</Text.Detail>
              {canManage ? (
                <Fragment>
                  <FlatButton label={intl.formatMessage(matchingMessages.moveUp, { rule })} isDisabled={index === 0} onClick={() => setRules(moved(rules, index, -1))} />
                  <FlatButton
                    label={intl.formatMessage(matchingMessages.moveDown, { rule })}
                    isDisabled={index === rules.length - 1}
                    onClick={() => setRules(moved(rules, index, 1))}
                  />
                  <FlatButton label={intl.formatMessage(matchingMessages.remove, { rule })} onClick={() => setRules(rules.filter((r) => r !== rule))} />
                </Fragment>
              ) : null}
            </Spacings.Inline>
          </li>
        ))}
      </ol>
      <FieldIssues issues={issues} path={['matching', 'rules']} within />
      <FieldIssues issues={issues} path={['matching', 'customKeys']} within />
      {canManage && missing.length > 0 ? (
        <Spacings.Inline scale="s" alignItems="center">
          <SelectInput
            name="matching-rule-to-add"
            aria-label={intl.formatMessage(matchingMessages.toAdd)}
            horizontalConstraint={5}
            value={toAdd}
            placeholder={intl.formatMessage(matchingMessages.choose)}
            options={missing.map((rule) => ({ value: rule, label: rule }))}
            onChange={(event) => setToAdd(event.target.value as MatchingRule)}
          />
          <SecondaryButton
            label={intl.formatMessage(matchingMessages.add)}
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
        <Text.Detail isBold>{intl.formatMessage(matchingMessages.guests)}</Text.Detail>
        <SelectInput
          name="guest-policy"
          aria-label={intl.formatMessage(matchingMessages.guests)}
          horizontalConstraint={7}
          value={props.guests}
          isReadOnly={!canManage}
          options={guestPolicies.map((policy) => ({ value: policy, label: intl.formatMessage(guestMessages[policy]) }))}
          onChange={(event) => props.onChange({ guests: event.target.value as GuestPolicy })}
        />
      </label>
      <FieldIssues issues={issues} path={['matching', 'guests']} />
    </Spacings.Stack>
  );
}
