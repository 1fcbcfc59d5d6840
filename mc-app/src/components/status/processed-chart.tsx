import { useIntl } from 'react-intl';
import { designTokens } from '@commercetools-uikit/design-system';
import Text from '@commercetools-uikit/text';
import Spacings from '@commercetools-uikit/spacings';
import type { ConnectionStatus } from '../../../../core/src/api/contract';
import { chartMessages } from './messages';

/**
 * Records processed per hour over the last 24 hours as stacked bars (written,
 * failed: the sync log keeps no unchanged ones). Plain SVG: 24 bars and a legend need no chart library,
 * it renders the same in jsdom (testable), adds nothing to the bundle and
 * follows the design tokens.
 */
const series = [
  { key: 'written', label: chartMessages.written, color: designTokens.colorPrimary },
  { key: 'failed', label: chartMessages.failed, color: designTokens.colorError },
] as const;

const width = 480;
const height = 120;
const padding = { top: 8, bottom: 18, left: 28, right: 4 };

export function ProcessedChart({ processed, title }: { processed: ConnectionStatus['processed']; title: string }) {
  const intl = useIntl();
  const hours = [...processed].sort((a, b) => a.hour.localeCompare(b.hour));
  const max = Math.max(1, ...hours.map((h) => h.written + h.failed));
  const innerWidth = width - padding.left - padding.right;
  const innerHeight = height - padding.top - padding.bottom;
  const slot = innerWidth / Math.max(hours.length, 1);
  const barWidth = Math.max(2, slot * 0.7);
  const totals = series.map((s) => ({ ...s, total: hours.reduce((sum, h) => sum + h[s.key], 0) }));
  const [written, failed] = totals.map((t) => t.total);
  const summary = intl.formatMessage(chartMessages.summary, { title, written, failed, hours: hours.length });

  return (
    <Spacings.Stack scale="xs">
      <svg
        role="img"
        aria-label={summary}
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        style={{ maxWidth: width }}
        data-testid="processed-chart"
      >
        <title>{summary}</title>
        <line x1={padding.left} x2={width - padding.right} y1={height - padding.bottom} y2={height - padding.bottom} stroke="#ccc" />
        <text x={padding.left - 4} y={padding.top + 8} fontSize="9" textAnchor="end" fill="#666">
          {max}
        </text>
        <text x={padding.left - 4} y={height - padding.bottom} fontSize="9" textAnchor="end" fill="#666">
          0
        </text>
        {hours.map((hour, index) => {
          let y = height - padding.bottom;
          const x = padding.left + index * slot + (slot - barWidth) / 2;
          return (
            <g key={hour.hour} data-testid="processed-bar">
              <title>
                {intl.formatMessage(chartMessages.hour, { hour: hour.hour.slice(11, 16) || hour.hour, written: hour.written, failed: hour.failed })}
              </title>
              {series.map((s) => {
                const value = hour[s.key];
                const h = (value / max) * innerHeight;
                y -= h;
                return value > 0 ? <rect key={s.key} x={x} y={y} width={barWidth} height={h} fill={s.color} /> : null;
              })}
              {index % 6 === 0 ? (
                <text x={x + barWidth / 2} y={height - 4} fontSize="9" textAnchor="middle" fill="#666">
                  {hour.hour.slice(11, 16)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <Spacings.Inline scale="m">
        {totals.map((t) => (
          <Spacings.Inline key={t.key} scale="xs" alignItems="center">
            <span style={{ display: 'inline-block', width: 10, height: 10, background: t.color }} />
            <Text.Detail>{intl.formatMessage(chartMessages.legend, { label: intl.formatMessage(t.label), total: t.total })}</Text.Detail>
          </Spacings.Inline>
        ))}
      </Spacings.Inline>
    </Spacings.Stack>
  );
}
