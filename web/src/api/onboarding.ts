// First-run onboarding state, kept by the backend (GET/PUT /api/onboarding)
// so the window and every browser agree on whether it was done.
import { ApiError, apiGet, apiSend } from './client';

export const ONBOARDING_STEPS = ['splash', 'welcome', 'node-starting', 'folder-select', 'syncing'] as const;

export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

export interface OnboardingState {
  complete: boolean;
  /** Where a relaunch resumes; '' = from the start. */
  step: OnboardingStep | '';
  /** The folder chosen for the first backup. */
  folderId?: string;
}

/** Shows the first-run screens again from the start (Settings → Developer). */
export const ONBOARDING_RESET: OnboardingState = { complete: false, step: '' };

function isStep(v: unknown): v is OnboardingStep {
  return typeof v === 'string' && (ONBOARDING_STEPS as readonly string[]).includes(v);
}

export function toOnboardingState(v: unknown): OnboardingState | null {
  if (!v || typeof v !== 'object' || !('complete' in v) || typeof v.complete !== 'boolean') return null;
  const step = 'step' in v && isStep(v.step) ? v.step : '';
  const folderId = 'folderId' in v && typeof v.folderId === 'string' && v.folderId !== '' ? v.folderId : undefined;
  return { complete: v.complete, step, ...(folderId ? { folderId } : {}) };
}

export async function getOnboarding(): Promise<OnboardingState> {
  const s = toOnboardingState(await apiGet<unknown>('/api/onboarding'));
  if (!s) throw new ApiError(200, 'unexpected answer from /api/onboarding');
  return s;
}

export async function putOnboarding(state: OnboardingState): Promise<OnboardingState> {
  const s = toOnboardingState(await apiSend<unknown>('PUT', '/api/onboarding', state));
  if (!s) throw new ApiError(200, 'unexpected answer from /api/onboarding');
  return s;
}
