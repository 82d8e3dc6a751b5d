import { useEffect, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { getOnboarding, type OnboardingState } from '../api/onboarding';
import { Onboarding } from './Onboarding';

/**
 * Shows the first-run screens instead of the app until they are done or
 * skipped (spec §8.2), then the app at the Dashboard. While the state is
 * being read nothing is shown, so an onboarded user never sees a flash of
 * onboarding. If the state cannot be read (an older backend, the API down)
 * the app itself is shown: its pages say what is wrong far better than a
 * welcome screen could.
 */
export function OnboardingGate({ children }: { children: ReactNode }) {
  const [state, setState] = useState<OnboardingState | 'unknown' | null>(null);
  const navigate = useNavigate();

  useEffect(() => {
    let alive = true;
    getOnboarding().then(
      (s) => alive && setState(s),
      () => alive && setState('unknown'),
    );
    return () => {
      alive = false;
    };
  }, []);

  if (state === null) return null;
  if (state === 'unknown' || state.complete) return <>{children}</>;
  return (
    <Onboarding
      initial={state}
      onDone={() => {
        setState({ complete: true, step: '' });
        navigate('/', { replace: true });
      }}
    />
  );
}
