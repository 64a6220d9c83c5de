// The few shapes every ShopStack panel takes, on the Grafana Foundation SDK's typed builders: a time
// series or a single stat, querying the provisioned Prometheus data source (uid "prometheus", see
// operator/src/render/grafana.ts), with a legend that names each series.
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

export const PROMETHEUS = { type: 'prometheus', uid: 'prometheus' };
export const TAG = 'shopstack';

/** Probes and scrapes are not traffic: left out of the request panels. */
export const NOT_PROBES = 'route!~"/metrics|/healthz|/readyz"';

export interface Query {
  expr: string;
  legend: string;
}

export const query = (expr: string, legend: string): Query => ({ expr, legend });

export type Panel = TimeseriesBuilder | StatBuilder;

export interface Section {
  title: string;
  panels: Panel[];
}

const targets = (queries: Query[]) =>
  queries.map((q, i) =>
    new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(PROMETHEUS)
      .expr(q.expr)
      .legendFormat(q.legend),
  );

/** A time series of one or more queries; `unit` is one of Grafana's unit ids (reqps, s, bytes, ...). */
export function timeseries(title: string, unit: string, description: string, ...queries: Query[]) {
  const panel = new TimeseriesBuilder()
    .title(title)
    .description(description)
    .datasource(PROMETHEUS)
    .unit(unit)
    .span(8)
    .height(8)
    .min(0)
    .lineWidth(1)
    .fillOpacity(10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  for (const target of targets(queries)) panel.withTarget(target);
  return panel;
}

/** One number, red from `redAbove` on (e.g. a ledger difference that must stay 0). */
export function stat(title: string, unit: string, description: string, q: Query, redAbove?: number) {
  const panel = new StatBuilder()
    .title(title)
    .description(description)
    .datasource(PROMETHEUS)
    .unit(unit)
    .span(4)
    .height(4)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.Area)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  if (redAbove !== undefined) {
    panel.thresholds(
      new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
        { value: null, color: 'green' },
        { value: redAbove, color: 'red' },
      ]),
    );
  }
  for (const target of targets([q])) panel.withTarget(target);
  return panel;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  sections: Section[];
  configure?: (builder: DashboardBuilder) => void;
}

/** A read-only dashboard of titled rows, linked to every other ShopStack dashboard by tag. */
export function dashboard(spec: DashboardSpec) {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([TAG])
    .readonly()
    .refresh('10s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('utc')
    .link(
      new DashboardLinkBuilder('ShopStack')
        .type(DashboardLinkType.Dashboards)
        .tags([TAG])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true),
    );
  spec.configure?.(builder);
  for (const section of spec.sections) {
    builder.withRow(new RowBuilder(section.title));
    for (const panel of section.panels) builder.withPanel(panel);
  }
  const built = builder.build();
  // Stable panel ids (Grafana keys links and state by them): their order on the dashboard.
  built.panels = (built.panels ?? []).map((panel, i) => ({ ...panel, id: i + 1 }));
  return built;
}
