/** One finding of `meshtax doctor`. */
export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'info';
  detail: string;
  hint?: string;
}
