// One small neutral card model. Adapters render it (Feishu card JSON 2.0, DingTalk interactive
// card, the sandbox's HTML); the engine only ever builds these.

export type CardColor = 'blue' | 'green' | 'orange' | 'red' | 'grey' | 'purple';

export interface CardField {
  label: string;
  /** May contain `<@userId>` mention tokens. */
  value: string;
}

export type ButtonStyle = 'primary' | 'danger' | 'default';

/** What a button sends back: always an item, an action and the version it was rendered at. */
export interface CardButton {
  label: string;
  style: ButtonStyle;
  action: string;
  itemId: number;
  version: number;
  /** Only this user may click (platform-qualified id); others are refused. */
  for?: string;
  /**
   * Inputs the user fills before the click counts (e.g. a reason for 异议 / 驳回, a new date).
   * Rendered as a form; the values come back in `CardAction.form` under `name`.
   */
  inputs?: CardInput[];
}

export interface CardInput {
  name: string;
  label: string;
  placeholder?: string;
  required: boolean;
  /**
   * What is picked: free text (the default), a long text, people of the group (ids come back,
   * comma-separated when `multiple`), a date and time, or one of `options`.
   */
  kind?: 'text' | 'multiline' | 'people' | 'date' | 'select';
  multiple?: boolean;
  /** What was filled in before (a form sent back with an error keeps it). People: comma-separated ids. */
  value?: string;
  /** Why the value was refused, shown beside the field. */
  error?: string;
  options?: { value: string; label: string }[];
}

/**
 * A small chart (a weekly trend): categories along one axis, one or more series of numbers.
 * Each platform draws it its own way or lists the numbers; the numbers are the content.
 */
export interface CardChart {
  title: string;
  kind: 'bar' | 'line';
  labels: string[];
  series: { name: string; values: number[] }[];
}

export interface Card {
  header: {
    title: string;
    color: CardColor;
    /** A short state tag, e.g. "待确认". */
    tag?: string;
  };
  fields: CardField[];
  /** Markdown paragraphs (may contain mention tokens). */
  markdown: string[];
  buttons: CardButton[];
  /** Charts shown after the markdown. */
  charts?: CardChart[];
  /**
   * Every user mentioned in the card, with display names (the outbox fills in the names).
   * Adapters @mention them where the platform allows; who must act is each button's `for`.
   */
  mentions: { id: string; name: string }[];
  /** Plain-text summary for notifications and platforms without cards. */
  summary: string;
  /**
   * The command that shows this card's full content (e.g. "/查看 #12"). A platform that must
   * clip the card to fit its size limit points there.
   */
  more?: string;
}

/** A chart as text lines (platforms that cannot draw it list its numbers). */
export function chartLines(chart: CardChart): string[] {
  return [`**${chart.title}**`, ...chart.labels.map((l, i) => `- ${l}：${chart.series.map((s) => `${s.name} ${s.values[i] ?? 0}`).join(' · ')}`)];
}
