/** Something that makes a figure less trustworthy, said where the figure is shown: a stable code, what, and what to do. */
export interface Warning {
  /** Stable identifier, e.g. generator-behind, errors, few-samples. */
  code: string;
  message: string;
  /** What to do about it. */
  hint?: string;
}
