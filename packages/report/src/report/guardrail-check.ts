/** `yes` when the guardrail holds in the templates, `no` when it does not, `n/a` when it does not apply. */
export type Verdict = 'yes' | 'no' | 'n/a';

/** The verdict on one guardrail of one workload and what in the templates decided it. */
export interface GuardrailCheck {
  readonly verdict: Verdict;
  readonly detail: string;
}

export const holds = (detail: string): GuardrailCheck => ({ verdict: 'yes', detail });
export const fails = (detail: string): GuardrailCheck => ({ verdict: 'no', detail });
export const notApplicable = (detail: string): GuardrailCheck => ({ verdict: 'n/a', detail });

/** `no` with every failure listed when any part fails, else `yes` with the passing details. */
export function allOf(parts: readonly GuardrailCheck[], whenNone: GuardrailCheck): GuardrailCheck {
  if (parts.length === 0) return whenNone;
  const failures = parts.filter((part) => part.verdict === 'no');
  const details = (list: readonly GuardrailCheck[]) =>
    [...new Set(list.map((part) => part.detail))].join('; ');
  return failures.length ? fails(details(failures)) : holds(details(parts));
}
