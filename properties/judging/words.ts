/** How violation messages write numbers: virtual times and durations with thousands separators. */

/** A virtual time or duration in ms as a message shows it: `1,020 ms`. */
export function ms(value: number): string {
  return `${value.toLocaleString('en-US')} ms`;
}
