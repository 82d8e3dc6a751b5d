// The first-run flow's progress, kept by the backend (GET/PUT /api/onboarding)
// so it follows the user across browsers and the desktop window.
import { ApiError, apiGet, apiSend } from './client';

export interface OnboardingState {
  complete: boolean;
  /** The step to resume at; "" for the start. */
  step: string;
}

/** Shows the welcome screens again from the start. */
export const ONBOARDING_RESET: OnboardingState = { complete: false, step: '' };

export async function getOnboarding(): Promise<OnboardingState> {
  return check(await apiGet<unknown>('/api/onboarding'));
}

export async function putOnboarding(state: OnboardingState): Promise<OnboardingState> {
  const answer = await apiSend<unknown>('PUT', '/api/onboarding', state);
  // A 204 carries nothing to check: what was sent is what is stored.
  return answer === undefined ? state : check(answer);
}

function check(v: unknown): OnboardingState {
  if (!v || typeof v !== 'object') throw new ApiError(200, 'unexpected answer from /api/onboarding');
  const o = v as Record<string, unknown>;
  if (typeof o.complete !== 'boolean') throw new ApiError(200, 'unexpected answer from /api/onboarding');
  return { complete: o.complete, step: typeof o.step === 'string' ? o.step : '' };
}
